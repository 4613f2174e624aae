/** SpreadsheetApp Range: a rectangle of one sheet. Dimension checks word their errors as Google does. */
import { toA1 } from './a1';
import { makeHandle } from './handles';
import type { Runtime } from './runtime';
import { lastColumnWithContent, lastRowWithContent, readGrid, writeGrid } from './sheet-grid';
import type { EmulatedSheet } from './state';

export interface SheetRef {
  spreadsheetId: string;
  sheetId: number;
}

export interface RangeDeps {
  lookupSheet(ref: SheetRef): EmulatedSheet;
  sheetHandle(ref: SheetRef): object;
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'Object[]';
  if (value === null || value === undefined) return 'null';
  return typeof value === 'string' ? 'String' : typeof value === 'number' ? 'number' : 'Object';
}

export function rangeHandle(
  rt: Runtime,
  deps: RangeDeps,
  ref: SheetRef,
  row: number,
  column: number,
  numRows: number,
  numColumns: number,
): object {
  const sheet = () => deps.lookupSheet(ref);
  let self: object;

  const checkDimensions = (values: unknown): unknown[][] => {
    if (!Array.isArray(values) || values.some((line) => !Array.isArray(line))) {
      rt.fail(`The parameters (${describeType(values)}) don't match the method signature for SpreadsheetApp.Range.setValues.`);
    }
    const grid = values as unknown[][];
    if (grid.length !== numRows) {
      rt.fail(`The number of rows in the data does not match the number of rows in the range. The data has ${grid.length} but the range has ${numRows}.`);
    }
    for (const line of grid) {
      if (line.length !== numColumns) {
        rt.fail(`The number of columns in the data does not match the number of columns in the range. The data has ${line.length} but the range has ${numColumns}.`);
      }
    }
    return grid;
  };

  // Formatting calls change nothing the model tracks, but they are counted and chain like Google's.
  const formatting = (): object => self;

  const impl = {
    getValues: () => readGrid(sheet(), row, column, numRows, numColumns),
    getDisplayValues: () => readGrid(sheet(), row, column, numRows, numColumns).map((line) => line.map((v) => String(v))),
    getValue: () => readGrid(sheet(), row, column, 1, 1)[0][0],
    getDisplayValue: () => String(readGrid(sheet(), row, column, 1, 1)[0][0]),
    setValues: (values: unknown) => {
      writeGrid(sheet(), row, column, checkDimensions(values));
      return self;
    },
    setValue: (value: unknown) => {
      const target = sheet();
      writeGrid(target, row, column, Array.from({ length: numRows }, () => new Array(numColumns).fill(value)));
      return self;
    },
    clear: () => {
      writeGrid(sheet(), row, column, Array.from({ length: numRows }, () => new Array(numColumns).fill('')));
      return self;
    },
    clearContent: () => impl.clear(),
    getRow: () => row,
    getColumn: () => column,
    getNumRows: () => numRows,
    getNumColumns: () => numColumns,
    getLastRow: () => row + numRows - 1,
    getLastColumn: () => column + numColumns - 1,
    getA1Notation: () => toA1(row, column, numRows, numColumns),
    getSheet: () => deps.sheetHandle(ref),
    isBlank: () => readGrid(sheet(), row, column, numRows, numColumns).every((line) => line.every((v) => v === '')),
    setFontWeight: formatting,
    setFontWeights: formatting,
    setFontColor: formatting,
    setBackground: formatting,
    setNumberFormat: formatting,
    setWrap: formatting,
    setHorizontalAlignment: formatting,
    setVerticalAlignment: formatting,
    setNote: formatting,
  };
  self = makeHandle(rt, 'Range', impl);
  return self;
}

/** Google's validation of getRange(row, column, numRows, numColumns). */
export function validateRangeArgs(rt: Runtime, row: number, column: number, numRows: number, numColumns: number): void {
  if (!Number.isFinite(row) || row < 1) rt.fail('The starting row of the range is too small.');
  if (!Number.isFinite(column) || column < 1) rt.fail('The starting column of the range is too small.');
  if (!Number.isFinite(numRows) || numRows < 1) rt.fail('The number of rows in the range must be at least 1.');
  if (!Number.isFinite(numColumns) || numColumns < 1) rt.fail('The number of columns in the range must be at least 1.');
}

export function dataRangeSize(sheet: EmulatedSheet): { rows: number; columns: number } {
  return { rows: Math.max(1, lastRowWithContent(sheet)), columns: Math.max(1, lastColumnWithContent(sheet)) };
}
