import type { SheetCell } from '../commands/rows';

/**
 * Where the Gap_Analysis tab's domain table is, for its chart: score per domain against the pass
 * mark. Found by header names (the backend lays the tab out: backend/workflow/steps/tab-rows.ts),
 * so a changed layout yields no chart rather than a wrong one. Row and column numbers are 1-based.
 */
export interface GapChartTable {
  headerRow: number;
  lastRow: number;
  domainColumn: number;
  scoreColumn: number;
  passMarkColumn?: number;
}

export function findGapChartTable(rows: SheetCell[][]): GapChartTable | undefined {
  const headerIndex = rows.findIndex((row) => row[0] === 'Domain' && row.includes('Score (%)'));
  if (headerIndex < 0) return undefined;
  const header = rows[headerIndex];
  let last = headerIndex;
  while (last + 1 < rows.length && rows[last + 1][0] !== '' && rows[last + 1][0] !== undefined) last++;
  if (last === headerIndex) return undefined;
  const passMark = header.indexOf('Pass mark (%)');
  return {
    headerRow: headerIndex + 1,
    lastRow: last + 1,
    domainColumn: 1,
    scoreColumn: header.indexOf('Score (%)') + 1,
    passMarkColumn: passMark >= 0 ? passMark + 1 : undefined,
  };
}
