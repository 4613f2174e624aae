import type { CellValue } from '../../shared/contracts/commands';

export type SheetCell = string | number | boolean;

/**
 * The rectangle one setValues call needs: every row padded to the widest row (Google rejects
 * ragged arrays), nulls as empty cells, and text that would start a formula kept as text, since
 * cell text can come from generated content.
 */
export function toSheetRectangle(rows: CellValue[][]): SheetCell[][] {
  const width = rows.reduce((max, row) => Math.max(max, row.length), 0);
  return rows.map((row) => {
    const out: SheetCell[] = new Array(width);
    for (let i = 0; i < width; i++) out[i] = toSheetCell(i < row.length ? row[i] : null);
    return out;
  });
}

export function toSheetCell(value: CellValue | undefined): SheetCell {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' && value.startsWith('=')) return `'${value}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return '';
  return value;
}
