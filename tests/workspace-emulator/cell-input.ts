/**
 * What Sheets makes of a string a script writes with setValue/setValues/appendRow: it parses it
 * as if a person had typed it, unless the cell's number format is plain text ('@'). So "7/10" and
 * "1-2" become dates, "+5", "1e3" and "50%" numbers, "true" a boolean and "=…" a formula (not
 * evaluated here: the cell reads back as an error value). A leading apostrophe forces text and is
 * not stored. Typed values (numbers, booleans, Dates) are stored as they are.
 */
import type { CellValue } from './state';

export const PLAIN_TEXT_FORMAT = '@';
/** getNumberFormat of a cell nobody formatted. */
export const DEFAULT_NUMBER_FORMAT = '0.###############';
/** What a formula cell reads back as: the emulator does not evaluate formulas. */
export const FORMULA_VALUE = '#ERROR!';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const GROUPED_NUMBER = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const PERCENT = /^[+-]?(\d+\.?\d*|\.\d+)%$/;
const MONTH_DAY = /^(\d{1,2})[/-](\d{1,2})$/;
const MONTH_DAY_YEAR = /^(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})$/;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

export interface ParsedInput {
  value: CellValue;
  formula?: string;
}

export function parseCellInput(raw: CellValue, numberFormat: string | undefined, now: Date): ParsedInput {
  if (typeof raw !== 'string') return { value: raw };
  if (raw.startsWith("'")) return { value: raw.slice(1) };
  // A formula stays a formula even in a plain-text cell (the stricter reading of Google's docs).
  if (raw.startsWith('=') && raw.length > 1) return { value: FORMULA_VALUE, formula: raw };
  if (numberFormat === PLAIN_TEXT_FORMAT) return { value: raw };
  const text = raw.trim();
  if (NUMBER.test(text)) return { value: Number(text) };
  if (GROUPED_NUMBER.test(text)) return { value: Number(text.replace(/,/g, '')) };
  if (PERCENT.test(text)) return { value: Number(text.slice(0, -1)) / 100 };
  if (/^(true|false)$/i.test(text)) return { value: text.toLowerCase() === 'true' };
  const date = parseDate(text, now);
  if (date) return { value: date };
  return { value: raw };
}

function parseDate(text: string, now: Date): Date | undefined {
  let year: number, month: number, day: number;
  let m = ISO_DATE.exec(text);
  if (m) [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = MONTH_DAY_YEAR.exec(text))) {
    [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (year < 100) year += 2000;
  } else if ((m = MONTH_DAY.exec(text))) [month, day, year] = [Number(m[1]), Number(m[2]), now.getUTCFullYear()];
  else return undefined;
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return new Date(Date.UTC(year, month - 1, day));
}
