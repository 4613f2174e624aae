import type { QuotaGuard } from '../quota';
import type { GapChartTable } from './gap-chart';

const PLAIN_TEXT = '@';
/** The format Sheets reports for a cell nobody formatted. */
const AUTOMATIC = '0.###############';

/** SpreadsheetApp behind one small interface; every call goes through the quota guard. */
export class GoogleSheetsClient {
  constructor(private readonly quota: QuotaGuard) {}

  createSheet(name: string): GoogleAppsScript.Spreadsheet.Spreadsheet {
    return this.quota.call('SpreadsheetApp.create', () => SpreadsheetApp.create(name));
  }

  open(id: string): GoogleAppsScript.Spreadsheet.Spreadsheet {
    return this.quota.call('SpreadsheetApp.openById', () => SpreadsheetApp.openById(id));
  }

  openByUrl(url: string): GoogleAppsScript.Spreadsheet.Spreadsheet {
    return this.quota.call('SpreadsheetApp.openByUrl', () => SpreadsheetApp.openByUrl(url));
  }

  /** The tab with this name, created when missing. */
  createTab(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet, name: string): GoogleAppsScript.Spreadsheet.Sheet {
    return spreadsheet.getSheetByName(name) ?? this.quota.call('Spreadsheet.insertSheet', () => spreadsheet.insertSheet(name));
  }

  /**
   * Replace a tab's content with a rectangle of values in ONE setValues call (cell-by-cell writes
   * are slow and burn quota). The first row is a header: bold and frozen.
   *
   * Sheets parses strings written by setValues as if typed ("7/10" a date, "+5" a number, "=…" a
   * formula), so every string cell is first formatted as plain text ('@', one setNumberFormats call)
   * and numbers and booleans stay typed values; a leading '=' is also escaped (rows.ts).
   */
  writeData(
    sheet: GoogleAppsScript.Spreadsheet.Sheet,
    rectangle: Array<Array<string | number | boolean>>,
    opts: { header: boolean },
  ): void {
    const rows = rectangle.length;
    const columns = rows ? rectangle[0].length : 0;
    this.quota.call('Sheet.clear', () => sheet.clear());
    if (rows === 0 || columns === 0) return;
    const range = sheet.getRange(1, 1, rows, columns);
    const formats = rectangle.map((line) => line.map((cell) => (typeof cell === 'string' ? PLAIN_TEXT : AUTOMATIC)));
    this.quota.call('Range.setNumberFormats', () => range.setNumberFormats(formats));
    this.quota.call('Range.setValues', () => range.setValues(rectangle));
    if (opts.header && rows > 1) {
      this.quota.call('Range.setFontWeight', () => sheet.getRange(1, 1, 1, columns).setFontWeight('bold'));
      this.quota.call('Sheet.setFrozenRows', () => sheet.setFrozenRows(1));
    }
  }

  /**
   * Replace the tab's charts with one column chart of score per domain, the pass mark drawn as a
   * line (a combo chart), placed right of the table. Rewriting a tab rewrites its chart: idempotent.
   */
  replaceGapChart(sheet: GoogleAppsScript.Spreadsheet.Sheet, table: GapChartTable, besideColumn: number): void {
    for (const old of this.quota.call('Sheet.getCharts', () => sheet.getCharts()))
      this.quota.call('Sheet.removeChart', () => sheet.removeChart(old));
    const height = table.lastRow - table.headerRow + 1;
    const column = (c: number) => sheet.getRange(table.headerRow, c, height, 1);
    let builder = sheet
      .newChart()
      .setChartType(table.passMarkColumn ? Charts.ChartType.COMBO : Charts.ChartType.COLUMN)
      .addRange(column(table.domainColumn))
      .addRange(column(table.scoreColumn));
    if (table.passMarkColumn) builder = builder.addRange(column(table.passMarkColumn)).setOption('series', { 1: { type: 'line' } });
    const chart = builder
      .setOption('title', table.passMarkColumn ? 'Score per domain (%) against the pass mark' : 'Score per domain (%)')
      .setOption('vAxis', { minValue: 0, maxValue: 100 })
      .setOption('useFirstColumnAsDomain', true)
      .setPosition(1, besideColumn + 2, 0, 0)
      .build();
    this.quota.call('Sheet.insertChart', () => sheet.insertChart(chart));
  }

  /** The response tab fed by this form, if the spreadsheet has one. */
  findResponseSheet(
    spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
    matchesForm: (formUrl: string) => boolean,
  ): GoogleAppsScript.Spreadsheet.Sheet | undefined {
    for (const sheet of spreadsheet.getSheets()) {
      const url = sheet.getFormUrl();
      if (url && matchesForm(url)) return sheet;
    }
    return undefined;
  }
}
