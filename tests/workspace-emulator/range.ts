/** SpreadsheetApp Range: a rectangle of one sheet. Dimension checks word their errors as Google does. */
import { toA1 } from './a1';
import { makeHandle } from './handles';
import type { Runtime } from './runtime';
import { DEFAULT_NUMBER_FORMAT } from './cell-input';
import { cellKey, clearCells, lastColumnWithContent, lastRowWithContent, readGrid, writeTypedInput } from './sheet-grid';
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

  const checkDimensions = (values: unknown, method = 'setValues'): unknown[][] => {
    if (!Array.isArray(values) || values.some((line) => !Array.isArray(line))) {
      rt.fail(`The parameters (${describeType(values)}) don't match the method signature for SpreadsheetApp.Range.${method}.`);
    }
    const grid = values as unknown[][];
    if (grid.length !== numRows) {
      rt.fail(
        `The number of rows in the data does not match the number of rows in the range. The data has ${grid.length} but the range has ${numRows}.`,
      );
    }
    for (const line of grid) {
      if (line.length !== numColumns) {
        rt.fail(
          `The number of columns in the data does not match the number of columns in the range. The data has ${line.length} but the range has ${numColumns}.`,
        );
      }
    }
    return grid;
  };

  // Formatting calls change nothing the model tracks, but they are counted and chain like Google's.
  const formatting = (): object => self;
  const now = () => new Date(rt.now());
  const eachCell = (fn: (key: string, r: number, c: number) => void) => {
    for (let r = 0; r < numRows; r++) for (let c = 0; c < numColumns; c++) fn(cellKey(row + r, column + c), r, c);
  };
  const formats = () => {
    const target = sheet();
    const out: string[][] = Array.from({ length: numRows }, () => new Array<string>(numColumns).fill(DEFAULT_NUMBER_FORMAT));
    eachCell((key, r, c) => (out[r][c] = target.numberFormats.get(key) ?? DEFAULT_NUMBER_FORMAT));
    return out;
  };

  const impl = {
    getValues: () => readGrid(sheet(), row, column, numRows, numColumns),
    getDisplayValues: () => readGrid(sheet(), row, column, numRows, numColumns).map((line) => line.map((v) => String(v))),
    getValue: () => readGrid(sheet(), row, column, 1, 1)[0][0],
    getDisplayValue: () => String(readGrid(sheet(), row, column, 1, 1)[0][0]),
    setValues: (values: unknown) => {
      writeTypedInput(sheet(), row, column, checkDimensions(values), now());
      return self;
    },
    setValue: (value: unknown) => {
      writeTypedInput(
        sheet(),
        row,
        column,
        Array.from({ length: numRows }, () => new Array(numColumns).fill(value)),
        now(),
      );
      return self;
    },
    clear: () => {
      clearCells(sheet(), row, column, numRows, numColumns, true);
      return self;
    },
    clearContent: () => {
      clearCells(sheet(), row, column, numRows, numColumns, false);
      return self;
    },
    getFormulas: () => {
      const target = sheet();
      const out: string[][] = Array.from({ length: numRows }, () => new Array<string>(numColumns).fill(''));
      eachCell((key, r, c) => (out[r][c] = target.formulas.get(key) ?? ''));
      return out;
    },
    getNumberFormat: () => formats()[0][0],
    getNumberFormats: () => formats(),
    setNumberFormat: (format: unknown) => {
      const target = sheet();
      eachCell((key) => target.numberFormats.set(key, String(format)));
      return self;
    },
    setNumberFormats: (grid: unknown) => {
      const target = sheet();
      const checked = checkDimensions(grid, 'setNumberFormats');
      eachCell((key, r, c) => target.numberFormats.set(key, String(checked[r][c])));
      return self;
    },
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
