import { afterAll, describe, expect, it } from 'vitest';
import { parseA1, toA1 } from '../workspace-emulator/a1';
import { fixtureEmulator, removeFixtureBundles } from './helpers';

afterAll(removeFixtureBundles);

const ROWS = [
  ['Domain', 'Score', 'Severity'],
  ['Security', 0.4, 'high'],
  ['Billing', 0.9, 'low'],
];

describe('SpreadsheetApp', () => {
  it('writes a tab with one batched setValues and reads it back', () => {
    const emulator = fixtureEmulator();
    emulator.resetCallCounts();
    const result = emulator.run('writeTab', 'Gap_Analysis', ROWS) as { lastRow: number; lastColumn: number; values: unknown[][] };
    expect(result).toEqual({ lastRow: 3, lastColumn: 3, values: ROWS });
    const counts = emulator.callCounts();
    expect(counts['Range.setValues']).toBe(1);
    expect(counts['Range.setValue']).toBeUndefined();
    expect(counts['Spreadsheet.insertSheet']).toBe(1);
    const tab = emulator.state.spreadsheets.get(emulator.activeSpreadsheetId)!.sheets.find((s) => s.name === 'Gap_Analysis')!;
    expect(tab.values).toEqual(ROWS);
  });

  it('parses strings written by setValues as typed input, as Sheets does: dates, numbers, booleans, formulas', () => {
    const emulator = fixtureEmulator();
    const typed = ['7/10', '1-2', '+5', '1,000', '50%', 'TRUE', '=1+1', "'=kept", '2026-01-31', 'plain', 3];
    const { values } = emulator.run('writeTab', 'Typed', [typed]) as { values: unknown[][] };
    const year = new Date().getUTCFullYear();
    expect(values[0]).toEqual([
      new Date(Date.UTC(year, 6, 10)),
      new Date(Date.UTC(year, 0, 2)),
      5,
      1000,
      0.5,
      true,
      '#ERROR!',
      '=kept',
      new Date(Date.UTC(2026, 0, 31)),
      'plain',
      3,
    ]);
    const tab = emulator.state.spreadsheets.get(emulator.activeSpreadsheetId)!.sheets.find((s) => s.name === 'Typed')!;
    expect([...tab.formulas.values()]).toEqual(['=1+1']);
  });

  it("keeps strings as text in cells formatted as plain text ('@'); a formula is still a formula", () => {
    const emulator = fixtureEmulator();
    const result = emulator.run('writeTabAsText', 'Text', [['7/10', '1-2', '+5', 'TRUE', '=1+1']]) as {
      values: unknown[][];
      formulas: string[][];
      format: string;
    };
    expect(result.values).toEqual([['7/10', '1-2', '+5', 'TRUE', '#ERROR!']]);
    expect(result.formulas).toEqual([['', '', '', '', '=1+1']]);
    expect(result.format).toBe('@');
  });

  it('builds embedded charts: a type and a range are required, and a built chart shows only once inserted', () => {
    const emulator = fixtureEmulator();
    const result = emulator.run(
      'chartTab',
      'Chart',
      [
        ['Domain', 'Score'],
        ['Security', 40],
        ['Billing', 90],
      ],
      'COLUMN',
    );
    expect(result).toEqual({ before: 0, after: 1, ranges: ['Chart!A1:A3', 'Chart!B1:B3'] });
    const tab = emulator.state.spreadsheets.get(emulator.activeSpreadsheetId)!.sheets.find((s) => s.name === 'Chart')!;
    expect(tab.charts).toMatchObject([{ type: 'COLUMN', position: { row: 1, column: 4 }, options: { title: 'Scores' } }]);
    expect(() => emulator.run('chartTab', 'Untyped', [['a', 1]], undefined)).toThrow('The chart type has not been set');
  });

  it('counts cell-by-cell writes, so tests can tell batching from chatter', () => {
    const emulator = fixtureEmulator();
    emulator.run('writeTabCellByCell', 'Chatty', ROWS);
    expect(emulator.callCounts()['Range.setValue']).toBe(9);
    expect(emulator.callCounts()['Sheet.getRange']).toBe(9);
  });

  it("rejects data whose dimensions differ from the range, with Google's wording", () => {
    const emulator = fixtureEmulator();
    expect(() =>
      emulator.run('writeMismatched', 3, 2, [
        ['a', 'b'],
        ['c', 'd'],
      ]),
    ).toThrow('The number of rows in the data does not match the number of rows in the range. The data has 2 but the range has 3.');
    expect(() => emulator.run('writeMismatched', 2, 2, [['a', 'b'], ['c']])).toThrow(
      'The number of columns in the data does not match the number of columns in the range. The data has 1 but the range has 2.',
    );
    expect(() => emulator.run('writeMismatched', 0, 2, [])).toThrow('The number of rows in the range must be at least 1.');
    expect(emulator.state.spreadsheets.get(emulator.activeSpreadsheetId)!.sheets[0].values).toEqual([]);
  });

  it('refuses a second tab with the same name', () => {
    const emulator = fixtureEmulator();
    emulator.run('writeTab', 'Training_Plan', ROWS);
    expect(() => emulator.run('writeTabCellByCell', 'Training_Plan', ROWS)).toThrow(
      'A sheet with the name "Training_Plan" already exists. Please enter another name.',
    );
  });

  it('unimplemented methods fail clearly, and private functions cannot be run', () => {
    const emulator = fixtureEmulator();
    expect(() => emulator.run('callMissing')).toThrow('emulator: Spreadsheet.getBandings not implemented');
    expect(() => emulator.run('privateHelper_')).toThrow('Script function not found: privateHelper_');
    expect(() => emulator.run('noSuchFunction')).toThrow('Script function not found: noSuchFunction');
  });
});

describe('A1 notation', () => {
  it('parses cells, ranges and sheet-qualified ranges, and formats them back', () => {
    expect(parseA1('B2')).toEqual({ sheetName: undefined, row: 2, column: 2, numRows: 1, numColumns: 1 });
    expect(parseA1("'Gap Analysis'!A1:AB10")).toEqual({ sheetName: 'Gap Analysis', row: 1, column: 1, numRows: 10, numColumns: 28 });
    expect(parseA1('A0')).toBeUndefined();
    expect(parseA1('nonsense')).toBeUndefined();
    expect(toA1(1, 1, 10, 28)).toBe('A1:AB10');
    expect(toA1(3, 2, 1, 1)).toBe('B3');
  });
});
