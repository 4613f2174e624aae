/** Reading and writing the dense value grid of an emulated sheet. */
import { parseCellInput } from './cell-input';
import { isDateLike } from './realm';
import type { CellValue, EmulatedSheet } from './state';

/** What Sheets stores for a value a script writes. */
export function normalizeCell(value: unknown): CellValue {
  if (value === null || value === undefined) return '';
  if (isDateLike(value)) return new Date(value.getTime());
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

export function gridWidth(sheet: EmulatedSheet): number {
  return sheet.values[0]?.length ?? 0;
}

export function ensureGridSize(sheet: EmulatedSheet, rows: number, columns: number): void {
  const width = Math.max(gridWidth(sheet), columns);
  for (const row of sheet.values) while (row.length < width) row.push('');
  while (sheet.values.length < rows) sheet.values.push(new Array<CellValue>(width).fill(''));
}

export function lastRowWithContent(sheet: EmulatedSheet): number {
  for (let r = sheet.values.length - 1; r >= 0; r--) if (sheet.values[r].some((v) => v !== '')) return r + 1;
  return 0;
}

export function lastColumnWithContent(sheet: EmulatedSheet): number {
  let last = 0;
  for (const row of sheet.values) {
    for (let c = row.length - 1; c >= last; c--) {
      if (row[c] !== '') {
        last = c + 1;
        break;
      }
    }
  }
  return last;
}

export function readGrid(sheet: EmulatedSheet, row: number, column: number, numRows: number, numColumns: number): CellValue[][] {
  const out: CellValue[][] = [];
  for (let r = 0; r < numRows; r++) {
    const source = sheet.values[row - 1 + r];
    const line: CellValue[] = [];
    for (let c = 0; c < numColumns; c++) {
      const v = source?.[column - 1 + c] ?? '';
      line.push(isDateLike(v) ? new Date(v.getTime()) : v);
    }
    out.push(line);
  }
  return out;
}

export function writeGrid(sheet: EmulatedSheet, row: number, column: number, values: unknown[][]): void {
  const numColumns = values[0]?.length ?? 0;
  ensureGridSize(sheet, row - 1 + values.length, column - 1 + numColumns);
  values.forEach((line, r) => {
    line.forEach((v, c) => {
      sheet.values[row - 1 + r][column - 1 + c] = normalizeCell(v);
    });
  });
}

export const cellKey = (row: number, column: number) => `${row},${column}`;

/** A script's write (setValues, setValue, appendRow): strings are parsed as typed input, see cell-input.ts. */
export function writeTypedInput(sheet: EmulatedSheet, row: number, column: number, values: unknown[][], now: Date): void {
  const parsed = values.map((line, r) =>
    line.map((v, c) => {
      const key = cellKey(row + r, column + c);
      const input = parseCellInput(normalizeCell(v), sheet.numberFormats.get(key), now);
      if (input.formula) sheet.formulas.set(key, input.formula);
      else sheet.formulas.delete(key);
      return input.value;
    }),
  );
  writeGrid(sheet, row, column, parsed);
}

/** Values and formulas of a rectangle go; with formats, number formats too (Range.clear vs clearContent). */
export function clearCells(sheet: EmulatedSheet, row: number, column: number, numRows: number, numColumns: number, formats: boolean): void {
  writeGrid(
    sheet,
    row,
    column,
    Array.from({ length: numRows }, () => new Array(numColumns).fill('')),
  );
  for (let r = row; r < row + numRows; r++) {
    for (let c = column; c < column + numColumns; c++) {
      sheet.formulas.delete(cellKey(r, c));
      if (formats) sheet.numberFormats.delete(cellKey(r, c));
    }
  }
}

export function appendGridRow(sheet: EmulatedSheet, values: unknown[], now?: Date): number {
  const row = lastRowWithContent(sheet) + 1;
  if (now) writeTypedInput(sheet, row, 1, [values], now);
  else writeGrid(sheet, row, 1, [values]);
  return row;
}
