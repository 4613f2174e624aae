import type { CommandPayload, CommandResult } from '../../shared/contracts/commands';
import type { CommandContext } from './context';
import { findGapChartTable } from '../workspace/gap-chart';
import { toSheetRectangle } from './rows';

const GAP_TAB = 'Gap_Analysis';

/** Steps 6–8 and 11: replace one tab of the results spreadsheet with one batched setValues. */
export function writeTab(payload: CommandPayload<'write_tab'>, ctx: CommandContext): CommandResult<'write_tab'> {
  const spreadsheet = ctx.sheets.open(payload.spreadsheetId);
  const sheet = ctx.sheets.createTab(spreadsheet, payload.tabName);
  const rectangle = toSheetRectangle(payload.rows);
  ctx.sheets.writeData(sheet, rectangle, { header: true });
  if (payload.tabName === GAP_TAB) {
    // Instructors read a chart faster than a table: score per domain against the pass mark.
    const table = findGapChartTable(rectangle);
    if (table) ctx.sheets.replaceGapChart(sheet, table, rectangle[0]?.length ?? 1);
  }
  return {
    spreadsheetId: payload.spreadsheetId,
    tabName: payload.tabName,
    rowCount: rectangle.length,
    columnCount: rectangle.length ? rectangle[0].length : 0,
    url: spreadsheet.getUrl(),
  };
}
