/**
 * Builds the Grafana dashboard "Workflow Orchestration" as code and writes
 * docs/observability/dashboard.json. Run: `npx tsx scripts/observability/build-dashboard.ts`
 * (`--check` exits 1 when the committed JSON is out of date instead of writing it).
 *
 * The output is deterministic (fixed uid, ids and layout, no timestamps) so the committed JSON can
 * be compared with the builder output in a test.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as q from './dashboard-queries';
import type { PanelQuery } from './dashboard-queries';

export const DASHBOARD_UID = 'presgen-workflow-orchestration';
export const DASHBOARD_TITLE = 'Workflow Orchestration';
export const DATASOURCE_VARIABLE = 'datasource';
export const SLA_WINDOW_VARIABLE = 'sla_window';
export const DASHBOARD_JSON_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/observability/dashboard.json');

/** Every panel and every query goes through the datasource picked in the variable. */
const datasource: common.DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

function targets(queries: PanelQuery[]): DataqueryBuilder[] {
  return queries.map((query) =>
    query.exemplar
      ? new DataqueryBuilder().refId(query.refId).datasource(datasource).expr(query.expr).legendFormat(query.legend).exemplar(true)
      : new DataqueryBuilder().refId(query.refId).datasource(datasource).expr(query.expr).legendFormat(query.legend),
  );
}

function thresholds(steps: dashboard.Threshold[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

function timeseriesPanel(title: string, description: string, unit: string, queries: PanelQuery[], width = 12) {
  return new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(datasource)
    .unit(unit)
    .min(0)
    .span(width)
    .height(8)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .targets(targets(queries));
}

function statPanel(title: string, description: string, unit: string, queries: PanelQuery[], width = 12) {
  return new stat.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(datasource)
    .unit(unit)
    .span(width)
    .height(8)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Background)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .targets(targets(queries));
}

const CIRCUIT_MAPPINGS: dashboard.ValueMapping[] = [
  {
    type: dashboard.MappingType.ValueToText,
    options: {
      '0': { text: 'closed', color: 'green', index: 0 },
      '1': { text: 'half-open', color: 'yellow', index: 1 },
      '2': { text: 'open', color: 'red', index: 2 },
    },
  },
];

function overviewRow(): cog.Builder<dashboard.Panel>[] {
  return [
    timeseriesPanel(
      'SLA P95 active-phase duration',
      'P95 time from the learner submission to deliverables ready, over $sla_window. SLA: 1800 s (dashed line).',
      's',
      [q.slaP95Query],
    )
      .thresholds(
        thresholds([
          { value: null, color: 'green' },
          { value: q.SLA_SECONDS, color: 'red' },
        ]),
      )
      .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed)),
    timeseriesPanel('Throughput: workflows completed per minute', 'Transitions to COMPLETED per minute, all replicas.', 'short', [
      q.throughputQuery,
    ]),
    timeseriesPanel('Workflows by status', 'Current workflows per status, read from the database.', 'short', [
      q.workflowsByStatusQuery,
    ]).stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal)),
    statPanel('Workflows needing attention', 'Workflows in NEEDS_ATTENTION: an operator must retry, skip or cancel them.', 'short', [
      q.needsAttentionQuery,
    ]).thresholds(
      thresholds([
        { value: null, color: 'green' },
        { value: 1, color: 'red' },
      ]),
    ),
  ];
}

function stepsRow(): cog.Builder<dashboard.Panel>[] {
  return [
    timeseriesPanel('Step latency p50 / p95 by step', 'Duration of one step attempt.', 's', q.stepLatencyQueries),
    timeseriesPanel('Retries by step and reason', 'Step attempts that ended in a scheduled retry, per minute.', 'short', [q.retriesQuery]),
  ];
}

function externalServicesRow(): cog.Builder<dashboard.Panel>[] {
  return [
    timeseriesPanel(
      'External API error ratio by service',
      'Share of outbound requests that did not succeed (timeouts, 5xx, 429, 4xx, circuit open).',
      'percentunit',
      [q.apiErrorRatioQuery],
      8,
    ).max(1),
    timeseriesPanel('External API latency p95 by service', 'Outbound request duration.', 's', [q.apiLatencyQuery], 8),
    statPanel('Circuit state per service', '0 closed, 1 half-open, 2 open.', 'none', [q.circuitStateQuery], 8)
      .mappings(CIRCUIT_MAPPINGS)
      .thresholds(
        thresholds([
          { value: null, color: 'green' },
          { value: 1, color: 'yellow' },
          { value: 2, color: 'red' },
        ]),
      ),
  ];
}

function workspaceRow(): cog.Builder<dashboard.Panel>[] {
  return [
    timeseriesPanel(
      'Workspace command backlog',
      'Commands waiting for Apps Script to pump them, and the age of the oldest (right axis).',
      'short',
      q.commandBacklogQueries,
      8,
    ).overrideByQuery('B', [
      { id: 'unit', value: 's' },
      { id: 'custom.axisPlacement', value: 'right' },
    ]),
    timeseriesPanel(
      'Apps Script quota usage',
      'Daily Apps Script quota used, as reported by the add-on (alert above 80 %).',
      'percentunit',
      [q.quotaUsageQuery],
      8,
    )
      .max(1)
      .thresholds(
        thresholds([
          { value: null, color: 'green' },
          { value: 0.8, color: 'red' },
        ]),
      )
      .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed)),
    timeseriesPanel(
      'Notification backlog and failures',
      'Outbox notifications not yet delivered, and failed delivery attempts per minute (right axis).',
      'short',
      q.notificationQueries,
      8,
    ).overrideByQuery('B', [{ id: 'custom.axisPlacement', value: 'right' }]),
  ];
}

function httpRow(): cog.Builder<dashboard.Panel>[] {
  return [
    timeseriesPanel(
      'HTTP request rate by route',
      'Inbound requests per second, all replicas, by route pattern.',
      'reqps',
      [q.httpRateQuery],
      8,
    ),
    timeseriesPanel(
      'HTTP error ratio by route',
      'Share of inbound requests answered with a 5xx, by route pattern.',
      'percentunit',
      [q.httpErrorRatioQuery],
      8,
    ).max(1),
    timeseriesPanel('HTTP latency p95 by route', 'Inbound request duration, by route pattern.', 's', [q.httpLatencyQuery], 8),
  ];
}

function variables(): cog.Builder<dashboard.VariableModel>[] {
  return [
    new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Data source').type('prometheus'),
    new dashboard.CustomVariableBuilder(SLA_WINDOW_VARIABLE)
      .label('SLA window')
      .values('15m,1h,6h,24h')
      .current({ text: '1h', value: '1h', selected: true }),
  ];
}

export function buildDashboard(): dashboard.Dashboard {
  const rows: Array<[string, cog.Builder<dashboard.Panel>[]]> = [
    ['SLA and throughput', overviewRow()],
    ['Steps', stepsRow()],
    ['External services', externalServicesRow()],
    ['Apps Script and notifications', workspaceRow()],
    ['HTTP API', httpRow()],
  ];
  const builder = new dashboard.DashboardBuilder(DASHBOARD_TITLE)
    .uid(DASHBOARD_UID)
    .tags(['presgen', 'workflow', 'generated'])
    .description(
      'PresGen-Assess orchestrator: SLA, steps, external services, Apps Script pump. Generated by scripts/observability/build-dashboard.ts.',
    )
    .editable()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .variables(variables());
  for (const [title, panels] of rows) {
    builder.withRow(new dashboard.RowBuilder(title));
    for (const panel of panels) builder.withPanel(panel);
  }
  const built = builder.build();
  // Stable ids in reading order, so links to a panel (viewPanel=N) survive regeneration.
  built.panels?.forEach((panel, index) => {
    panel.id = index + 1;
  });
  return built;
}

export function renderDashboardJson(): string {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}

interface TargetLike {
  expr?: unknown;
}
interface PanelLike {
  title?: unknown;
  targets?: TargetLike[];
  panels?: PanelLike[];
}

/** Every PromQL expression of a dashboard (built or parsed from JSON), with its panel title. */
export function dashboardQueries(built: { panels?: unknown[] } = buildDashboard()): Array<{ panel: string; expr: string }> {
  const out: Array<{ panel: string; expr: string }> = [];
  const visit = (panels: PanelLike[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (typeof target.expr === 'string') out.push({ panel: String(panel.title), expr: target.expr });
      }
      visit(panel.panels ?? []);
    }
  };
  visit((built.panels ?? []) as PanelLike[]);
  return out;
}

function main(argv: string[]): void {
  const rendered = renderDashboardJson();
  if (argv.includes('--check')) {
    const current = readFileSync(DASHBOARD_JSON_PATH, 'utf8');
    if (current !== rendered) {
      process.stderr.write(`${DASHBOARD_JSON_PATH} is out of date; run: npx tsx scripts/observability/build-dashboard.ts\n`);
      process.exit(1);
    }
    process.stdout.write(`${DASHBOARD_JSON_PATH} is up to date\n`);
    return;
  }
  writeFileSync(DASHBOARD_JSON_PATH, rendered);
  process.stdout.write(`wrote ${DASHBOARD_JSON_PATH} (${dashboardQueries().length} queries)\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
