import { describe, expect, it } from 'vitest';
import { toSheetCell, toSheetRectangle } from '../../apps-script/commands/rows';

describe('write_tab rows → one setValues rectangle', () => {
  it('pads every row to the widest row', () => {
    const rect = toSheetRectangle([['Domain', 'Score', 'Severity'], ['Networking', 0.4], ['Security']]);
    expect(rect).toEqual([
      ['Domain', 'Score', 'Severity'],
      ['Networking', 0.4, ''],
      ['Security', '', ''],
    ]);
    expect(new Set(rect.map((r) => r.length))).toEqual(new Set([3]));
  });

  it('turns nulls into empty cells and keeps numbers and booleans', () => {
    expect(toSheetRectangle([[null, 3, true, false, 'x']])).toEqual([['', 3, true, false, 'x']]);
  });

  it('keeps text that looks like a formula as text', () => {
    expect(toSheetCell('=IMPORTRANGE("x")')).toBe(`'=IMPORTRANGE("x")`);
    expect(toSheetCell('- a bullet')).toBe('- a bullet');
  });

  it('replaces non-finite numbers, which Sheets rejects', () => {
    expect(toSheetCell(Number.NaN)).toBe('');
    expect(toSheetCell(Number.POSITIVE_INFINITY)).toBe('');
  });

  it('handles a single cell and an all-empty row', () => {
    expect(toSheetRectangle([['only']])).toEqual([['only']]);
    expect(toSheetRectangle([[], ['a', 'b']])).toEqual([
      ['', ''],
      ['a', 'b'],
    ]);
  });
});
