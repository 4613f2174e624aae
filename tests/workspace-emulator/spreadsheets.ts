/** SpreadsheetApp, Spreadsheet and Sheet over the in-memory model. */
import { parseA1 } from './a1';
import { addDriveItem, driveUrlOf, idFromUrl, MIME } from './drive-model';
import { makeHandle, unwrapHandle } from './handles';
import { dataRangeSize, rangeHandle, validateRangeArgs, type RangeDeps, type SheetRef } from './range';
import type { Runtime } from './runtime';
import { appendGridRow, ensureGridSize, lastColumnWithContent, lastRowWithContent } from './sheet-grid';
import type { EmulatedSheet, EmulatedSpreadsheet } from './state';
import { createUi } from './ui';
import { sheetChartMethods } from './charts';

/** Creates the spreadsheet model and its Drive file (one "Sheet1" tab, like SpreadsheetApp.create). */
export function createSpreadsheetModel(rt: Runtime, name: string, parentId?: string): EmulatedSpreadsheet {
  const file = addDriveItem(rt.state, { name, mimeType: MIME.spreadsheet, owner: rt.options.user.email, parentId }, rt.now());
  const spreadsheet: EmulatedSpreadsheet = { id: file.id, sheets: [], nextSheetId: 0 };
  addSheetModel(spreadsheet, 'Sheet1');
  rt.state.spreadsheets.set(spreadsheet.id, spreadsheet);
  return spreadsheet;
}

export function addSheetModel(spreadsheet: EmulatedSpreadsheet, name: string, index?: number): EmulatedSheet {
  const sheet: EmulatedSheet = {
    sheetId: spreadsheet.nextSheetId,
    name,
    values: [],
    frozenRows: 0,
    numberFormats: new Map(),
    formulas: new Map(),
    charts: [],
  };
  // Google gives the first tab gid 0 and later tabs large random gids.
  spreadsheet.nextSheetId = 100_000_000 + Math.floor(Math.random() * 1_900_000_000);
  spreadsheet.sheets.splice(index ?? spreadsheet.sheets.length, 0, sheet);
  return sheet;
}

export function findSpreadsheet(rt: Runtime, id: string): EmulatedSpreadsheet {
  const spreadsheet = rt.state.spreadsheets.get(id);
  if (!spreadsheet) rt.fail(`Unexpected error while getting the method or property openById on object SpreadsheetApp.`);
  return spreadsheet;
}

export function spreadsheetUrl(id: string): string {
  return `https://docs.google.com/spreadsheets/d/${id}/edit`;
}

export class SpreadsheetHandles implements RangeDeps {
  constructor(private readonly rt: Runtime) {}

  lookupSheet(ref: SheetRef): EmulatedSheet {
    const sheet = findSpreadsheet(this.rt, ref.spreadsheetId).sheets.find((s) => s.sheetId === ref.sheetId);
    if (!sheet) this.rt.fail('This sheet has been deleted.');
    return sheet;
  }

  spreadsheet(id: string): object {
    const rt: Runtime = this.rt;
    const model = () => findSpreadsheet(rt, id);
    const file = () => rt.state.driveItems.get(id)!;
    const sheetNamed = (name: string) => model().sheets.find((s) => s.name === name);
    let self: object;
    const impl = {
      getId: () => id,
      getUrl: () => spreadsheetUrl(id),
      getName: () => file().name,
      rename: (name: string) => {
        file().name = String(name);
      },
      getSheets: () => model().sheets.map((s) => this.sheetHandle({ spreadsheetId: id, sheetId: s.sheetId })),
      getSheetByName: (name: string) => {
        const sheet = sheetNamed(String(name));
        return sheet ? this.sheetHandle({ spreadsheetId: id, sheetId: sheet.sheetId }) : null;
      },
      getSheetById: (sheetId: number) => {
        const sheet = model().sheets.find((s) => s.sheetId === sheetId);
        return sheet ? this.sheetHandle({ spreadsheetId: id, sheetId }) : null;
      },
      getActiveSheet: () => this.sheetHandle({ spreadsheetId: id, sheetId: model().sheets[0].sheetId }),
      insertSheet: (name?: unknown, index?: number) => {
        const spreadsheet = model();
        const sheetName = typeof name === 'string' ? name : `Sheet${spreadsheet.sheets.length + 1}`;
        if (sheetNamed(sheetName)) rt.fail(`A sheet with the name "${sheetName}" already exists. Please enter another name.`);
        const sheet = addSheetModel(spreadsheet, sheetName, typeof index === 'number' ? index : undefined);
        return this.sheetHandle({ spreadsheetId: id, sheetId: sheet.sheetId });
      },
      deleteSheet: (sheetHandle: unknown) => {
        const ref = unwrapHandle<{ ref: SheetRef }>(sheetHandle, 'Sheet')?.ref;
        if (!ref || ref.spreadsheetId !== id) rt.fail('Invalid argument: sheet');
        const spreadsheet = model();
        if (spreadsheet.sheets.length === 1) rt.fail("You can't remove all the sheets in a document.");
        const sheet = this.lookupSheet(ref);
        if (sheet.formId) rt.fail('This sheet is linked to a form and cannot be deleted. Unlink the form first.');
        spreadsheet.sheets = spreadsheet.sheets.filter((s) => s.sheetId !== ref.sheetId);
      },
      getRange: (a1: string) => {
        const parsed = parseA1(String(a1));
        const spreadsheet = model();
        const sheet = parsed?.sheetName ? sheetNamed(parsed.sheetName) : spreadsheet.sheets[0];
        if (!parsed || !sheet) rt.fail('Range not found');
        return rangeHandle(
          rt,
          this,
          { spreadsheetId: id, sheetId: sheet.sheetId },
          parsed.row,
          parsed.column,
          parsed.numRows,
          parsed.numColumns,
        );
      },
      getFormUrl: () => null,
      toast: () => self,
    };
    self = makeHandle(rt, 'Spreadsheet', impl);
    return self;
  }

  sheetHandle(ref: SheetRef): object {
    const rt: Runtime = this.rt;
    const sheet = () => this.lookupSheet(ref);
    const range = (row: number, column: number, numRows: number, numColumns: number) =>
      rangeHandle(rt, this, ref, row, column, numRows, numColumns);
    let self: object;
    const impl = {
      ref,
      getName: () => sheet().name,
      setName: (name: string) => {
        const spreadsheet = findSpreadsheet(rt, ref.spreadsheetId);
        if (spreadsheet.sheets.some((s) => s.name === name && s.sheetId !== ref.sheetId)) {
          rt.fail(`A sheet with the name "${name}" already exists. Please enter another name.`);
        }
        sheet().name = String(name);
        return self;
      },
      getSheetId: () => ref.sheetId,
      getIndex: () => findSpreadsheet(rt, ref.spreadsheetId).sheets.findIndex((s) => s.sheetId === ref.sheetId) + 1,
      getParent: () => this.spreadsheet(ref.spreadsheetId),
      getRange: (rowOrA1: unknown, column?: number, numRows = 1, numColumns = 1) => {
        if (typeof rowOrA1 === 'string') {
          const parsed = parseA1(rowOrA1);
          if (!parsed) rt.fail('Range not found');
          return range(parsed.row, parsed.column, parsed.numRows, parsed.numColumns);
        }
        const row = Number(rowOrA1);
        validateRangeArgs(rt, row, Number(column), Number(numRows), Number(numColumns));
        return range(row, Number(column), Number(numRows), Number(numColumns));
      },
      getDataRange: () => {
        const size = dataRangeSize(sheet());
        return range(1, 1, size.rows, size.columns);
      },
      getSheetValues: (row: number, column: number, numRows: number, numColumns: number) =>
        unwrapHandle<{ getValues(): unknown }>(range(row, column, numRows, numColumns), 'Range')!.getValues(),
      getLastRow: () => lastRowWithContent(sheet()),
      getLastColumn: () => lastColumnWithContent(sheet()),
      getMaxRows: () => Math.max(1000, sheet().values.length),
      getMaxColumns: () => Math.max(26, sheet().values[0]?.length ?? 0),
      appendRow: (values: unknown) => {
        if (!Array.isArray(values)) rt.fail("The parameters (String) don't match the method signature for SpreadsheetApp.Sheet.appendRow.");
        appendGridRow(sheet(), values, new Date(rt.now()));
        return self;
      },
      clear: () => {
        const target = sheet();
        target.values = [];
        target.formulas.clear();
        target.numberFormats.clear();
        return self;
      },
      clearContents: () => {
        sheet().values = [];
        sheet().formulas.clear();
        return self;
      },
      getFormUrl: () => {
        const formId = sheet().formId;
        const file = formId ? rt.state.driveItems.get(formId) : undefined;
        return file ? driveUrlOf(file) : null;
      },
      ...sheetChartMethods(rt, ref, sheet),
      setFrozenRows: (rows: number) => {
        sheet().frozenRows = Number(rows);
        ensureGridSize(sheet(), Number(rows), 0);
        return self;
      },
      getFrozenRows: () => sheet().frozenRows,
      autoResizeColumns: () => self,
      autoResizeColumn: () => self,
      setColumnWidth: () => self,
      activate: () => self,
    };
    self = makeHandle(rt, 'Sheet', impl);
    return self;
  }
}

export function createSpreadsheetApp(rt: Runtime, handles: SpreadsheetHandles): object {
  const openById = (id: string) => {
    findSpreadsheet(rt, String(id));
    return handles.spreadsheet(String(id));
  };
  return makeHandle(rt, 'SpreadsheetApp', {
    getActiveSpreadsheet: () => (rt.documentless ? null : handles.spreadsheet(rt.activeSpreadsheetId)),
    getActive: () => (rt.documentless ? null : handles.spreadsheet(rt.activeSpreadsheetId)),
    getActiveSheet: () => unwrapHandle<{ getActiveSheet(): object }>(handles.spreadsheet(rt.activeSpreadsheetId))!.getActiveSheet(),
    openById,
    openByUrl: (url: string) => {
      const id = idFromUrl(String(url));
      if (!id || !rt.state.spreadsheets.has(id))
        rt.fail('Unexpected error while getting the method or property openByUrl on object SpreadsheetApp.');
      return handles.spreadsheet(id);
    },
    create: (name: string) => {
      rt.chargeQuota('SpreadsheetApp.create', 1);
      return handles.spreadsheet(createSpreadsheetModel(rt, String(name)).id);
    },
    getUi: () => createUi(rt),
    flush: () => undefined,
  });
}
