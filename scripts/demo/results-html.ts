import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseA1 } from '../../tests/workspace-emulator/a1';
import type { CellValue, EmulatedChart, EmulatedSheet, EmulatedSpreadsheet } from '../../tests/workspace-emulator';

/**
 * The emulated results spreadsheet as one self-contained HTML page (every tab as a table, each
 * embedded chart drawn as an SVG column chart with its line series), so a newcomer running
 * `npm run demo` can see what the learner and the instructor get.
 */

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const cellText = (v: CellValue) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));
const linkify = (text: string) => (/^https?:\/\/\S+$/.test(text) ? `<a href="${escape(text)}">${escape(text)}</a>` : escape(text));

function table(sheet: EmulatedSheet): string {
  const rows = sheet.values
    .map(
      (row, r) =>
        `<tr>${row.map((v) => (r < sheet.frozenRows ? `<th>${escape(cellText(v))}</th>` : `<td>${linkify(cellText(v))}</td>`)).join('')}</tr>`,
    )
    .join('\n');
  return `<table>${rows}</table>`;
}

function columnValues(sheet: EmulatedSheet, a1: string): CellValue[] {
  const range = parseA1(a1);
  if (!range) return [];
  return Array.from({ length: range.numRows }, (_, i) => sheet.values[range.row - 1 + i]?.[range.column - 1] ?? '');
}

/** Column series first, the series the chart marks as a line drawn over them. */
function chartSvg(sheet: EmulatedSheet, chart: EmulatedChart): string {
  const [labelsRange, ...seriesRanges] = chart.ranges.map((r) => columnValues(sheet, r));
  if (!labelsRange || seriesRanges.length === 0) return '';
  const labels = labelsRange.slice(1).map(cellText);
  const lineSeries = new Set(Object.keys((chart.options.series as Record<string, unknown>) ?? {}).map(Number));
  const series = seriesRanges.map((values, i) => ({
    name: cellText(values[0]),
    values: values.slice(1).map(Number),
    line: lineSeries.has(i),
  }));
  const max = Math.max(100, ...series.flatMap((s) => s.values.filter(Number.isFinite)));
  const [w, h, pad] = [Math.max(320, labels.length * 90), 240, 30];
  const slot = (w - 2 * pad) / Math.max(1, labels.length);
  const y = (v: number) => h - pad - ((h - 2 * pad) * v) / max;
  const bars = series.filter((s) => !s.line);
  const barWidth = (slot * 0.7) / Math.max(1, bars.length);
  const parts: string[] = [];
  bars.forEach((s, b) =>
    s.values.forEach((v, i) => {
      const x = pad + i * slot + slot * 0.15 + b * barWidth;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(h - pad - y(v)).toFixed(1)}" fill="#1a73e8"><title>${escape(`${labels[i]}: ${v}`)}</title></rect>`,
      );
    }),
  );
  for (const s of series.filter((x) => x.line)) {
    const points = s.values.map((v, i) => `${(pad + i * slot + slot / 2).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="#d93025" stroke-width="2"><title>${escape(s.name)}</title></polyline>`);
  }
  labels.forEach((label, i) =>
    parts.push(
      `<text x="${(pad + i * slot + slot / 2).toFixed(1)}" y="${h - 8}" text-anchor="middle" font-size="11">${escape(label.slice(0, 18))}</text>`,
    ),
  );
  const title = escape(String(chart.options.title ?? ''));
  const legend = series.map((s) => `<span style="color:${s.line ? '#d93025' : '#1a73e8'}">■ ${escape(s.name)}</span>`).join(' ');
  return `<figure><figcaption>${title} ${legend}</figcaption><svg role="img" aria-label="${title}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${parts.join('')}</svg></figure>`;
}

export function resultsHtml(title: string, spreadsheet: EmulatedSpreadsheet): string {
  const tabs = spreadsheet.sheets
    .map(
      (sheet) => `<section><h2>${escape(sheet.name)}</h2>${sheet.charts.map((c) => chartSvg(sheet, c)).join('')}${table(sheet)}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:Roboto,Arial,sans-serif;margin:24px;color:#202124}table{border-collapse:collapse;margin:8px 0 24px}
td,th{border:1px solid #dadce0;padding:4px 8px;font-size:13px;text-align:left}th{background:#f1f3f4}h2{font-size:16px;border-bottom:1px solid #dadce0}
figure{margin:8px 0}figcaption{font-size:13px;margin-bottom:4px}</style></head>
<body><h1>${escape(title)}</h1>
<p>Written by <code>npm run demo</code> from the emulated Google Sheets results spreadsheet: every tab, and its chart.</p>
${tabs}
</body></html>
`;
}

export async function writeResultsHtml(path: string, title: string, spreadsheet: EmulatedSpreadsheet): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, resultsHtml(title, spreadsheet));
}
