/**
 * Embedded charts: Sheet.newChart() → EmbeddedChartBuilder → build() → Sheet.insertChart(), and
 * the Charts service's ChartType enum. Google's rules kept: a chart needs a type and at least one
 * range, ranges must be on the chart's own spreadsheet, and a built chart does nothing until inserted.
 */
import { makeHandle, unwrapHandle } from './handles';
import type { SheetRef } from './range';
import type { Runtime } from './runtime';
import type { EmulatedChart, EmulatedSheet } from './state';

export const CHART_TYPES = {
  AREA: 'AREA',
  BAR: 'BAR',
  BUBBLE: 'BUBBLE',
  CANDLESTICK: 'CANDLESTICK',
  COLUMN: 'COLUMN',
  COMBO: 'COMBO',
  GAUGE: 'GAUGE',
  GEO: 'GEO',
  HISTOGRAM: 'HISTOGRAM',
  LINE: 'LINE',
  ORG: 'ORG',
  PIE: 'PIE',
  SCATTER: 'SCATTER',
  SPARKLINE: 'SPARKLINE',
  STEPPED_AREA: 'STEPPED_AREA',
  TABLE: 'TABLE',
  TIMELINE: 'TIMELINE',
  TREEMAP: 'TREEMAP',
  WATERFALL: 'WATERFALL',
};

export function createCharts(rt: Runtime): object {
  return makeHandle(rt, 'Charts', { ChartType: CHART_TYPES });
}

interface RangeLike {
  getA1Notation(): string;
  getSheet(): { getName(): string; getParent(): { getId(): string } };
}

let nextChartId = 1_000;

function chartHandle(rt: Runtime, model: EmulatedChart): object {
  return makeHandle(rt, 'EmbeddedChart', {
    chartModel: model,
    getChartId: () => model.chartId,
    getRanges: () => [...model.ranges],
    getOptions: () => ({ get: (key: string) => model.options[String(key)] ?? null }),
    modify: () => rt.notImplemented('EmbeddedChart', 'modify'),
  });
}

/** Sheet.newChart(): a builder bound to the sheet's spreadsheet. */
export function chartBuilder(rt: Runtime, ref: SheetRef): object {
  const pending: Omit<EmulatedChart, 'chartId'> & { type: string } = { type: '', ranges: [], position: { row: 1, column: 1 }, options: {} };
  const self: object = makeHandle(rt, 'EmbeddedChartBuilder', {
    setChartType: (type: unknown) => {
      if (!(String(type) in CHART_TYPES)) rt.fail('Invalid argument: type');
      pending.type = String(type);
      return self;
    },
    asColumnChart: () => ((pending.type = 'COLUMN'), self),
    asBarChart: () => ((pending.type = 'BAR'), self),
    asLineChart: () => ((pending.type = 'LINE'), self),
    addRange: (range: unknown) => {
      const r = unwrapHandle<RangeLike>(range, 'Range');
      if (!r) rt.fail("The parameters (String) don't match the method signature for SpreadsheetApp.EmbeddedChartBuilder.addRange.");
      if (r.getSheet().getParent().getId() !== ref.spreadsheetId) rt.fail('The data range must be on the same spreadsheet as the chart.');
      pending.ranges.push(`${r.getSheet().getName()}!${r.getA1Notation()}`);
      return self;
    },
    clearRanges: () => ((pending.ranges = []), self),
    setPosition: (row: number, column: number, _offsetX: number, _offsetY: number) => {
      if (!(Number(row) >= 1 && Number(column) >= 1)) rt.fail('Invalid argument: anchorRowPos');
      pending.position = { row: Number(row), column: Number(column) };
      return self;
    },
    setOption: (key: string, value: unknown) => {
      pending.options[String(key)] = JSON.parse(JSON.stringify(value ?? null));
      return self;
    },
    build: () => {
      if (!pending.type) rt.fail('The chart type has not been set. Use setChartType().');
      if (pending.ranges.length === 0) rt.fail('The chart has no data. Add a range with addRange().');
      return chartHandle(rt, { ...structuredClone(pending), chartId: nextChartId++ });
    },
  });
  return self;
}

/** Sheet methods for charts. */
export function sheetChartMethods(rt: Runtime, ref: SheetRef, sheet: () => EmulatedSheet) {
  const modelOf = (chart: unknown): EmulatedChart => {
    const model = unwrapHandle<{ chartModel: EmulatedChart }>(chart, 'EmbeddedChart')?.chartModel;
    if (!model) rt.fail("The parameters don't match the method signature for SpreadsheetApp.Sheet.insertChart.");
    return model;
  };
  return {
    newChart: () => chartBuilder(rt, ref),
    insertChart: (chart: unknown) => {
      const model = modelOf(chart);
      const charts = sheet().charts;
      if (!charts.some((c) => c.chartId === model.chartId)) charts.push(model);
    },
    updateChart: (chart: unknown) => {
      const model = modelOf(chart);
      const charts = sheet().charts;
      const at = charts.findIndex((c) => c.chartId === model.chartId);
      if (at < 0) rt.fail('The chart is not on this sheet.');
      charts[at] = model;
    },
    getCharts: () => sheet().charts.map((c) => chartHandle(rt, c)),
    removeChart: (chart: unknown) => {
      const model = modelOf(chart);
      sheet().charts = sheet().charts.filter((c) => c.chartId !== model.chartId);
    },
  };
}
