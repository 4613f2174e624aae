/** Minimal A1 notation: "B2", "A1:C3", optionally prefixed by a sheet name ("Sheet1!A1:B2" or "'My tab'!A1"). */

export interface A1Range {
  sheetName?: string;
  row: number;
  column: number;
  numRows: number;
  numColumns: number;
}

export function columnLetterToNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

export function columnNumberToLetter(column: number): string {
  let out = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

const CELL = /^\$?([A-Za-z]{1,3})\$?(\d+)$/;

export function parseA1(notation: string): A1Range | undefined {
  let rest = notation.trim();
  let sheetName: string | undefined;
  const bang = rest.lastIndexOf('!');
  if (bang >= 0) {
    sheetName = rest
      .slice(0, bang)
      .replace(/^'(.*)'$/, '$1')
      .replace(/''/g, "'");
    rest = rest.slice(bang + 1);
  }
  const [startText, endText = startText] = rest.split(':');
  const start = CELL.exec(startText);
  const end = CELL.exec(endText);
  if (!start || !end) return undefined;
  const r1 = Number(start[2]);
  const r2 = Number(end[2]);
  const c1 = columnLetterToNumber(start[1]);
  const c2 = columnLetterToNumber(end[1]);
  if (r1 < 1 || r2 < 1) return undefined;
  return {
    sheetName,
    row: Math.min(r1, r2),
    column: Math.min(c1, c2),
    numRows: Math.abs(r2 - r1) + 1,
    numColumns: Math.abs(c2 - c1) + 1,
  };
}

export function toA1(row: number, column: number, numRows: number, numColumns: number): string {
  const start = `${columnNumberToLetter(column)}${row}`;
  if (numRows === 1 && numColumns === 1) return start;
  return `${start}:${columnNumberToLetter(column + numColumns - 1)}${row + numRows - 1}`;
}
