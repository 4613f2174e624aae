import type { CommandPayload, CommandResult } from '../../shared/contracts/commands';
import type { CommandContext } from './context';
import { toSheetRectangle } from './rows';

/** Steps 6–8 and 11: replace one tab of the results spreadsheet with one batched setValues. */
export function writeTab(payload: CommandPayload<'write_tab'>, ctx: CommandContext): CommandResult<'write_tab'> {
  const spreadsheet = ctx.sheets.open(payload.spreadsheetId);
  const sheet = ctx.sheets.createTab(spreadsheet, payload.tabName);
  const rectangle = toSheetRectangle(payload.rows);
  ctx.sheets.writeData(sheet, rectangle, { header: true });
  return {
    spreadsheetId: payload.spreadsheetId,
    tabName: payload.tabName,
    rowCount: rectangle.length,
    columnCount: rectangle.length ? rectangle[0].length : 0,
    url: spreadsheet.getUrl(),
  };
}
