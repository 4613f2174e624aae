import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DASHBOARD_JSON_PATH,
  DATASOURCE_VARIABLE,
  dashboardQueries,
  renderDashboardJson,
} from '../../scripts/observability/build-dashboard';
import { runPromtool } from '../support/prometheus';
import { metricNamesIn, registeredMetricNames } from './metric-names';

const Variable = z.object({
  type: z.string(),
  name: z.string(),
  query: z.unknown().optional(),
  current: z.object({ value: z.unknown() }).optional(),
});
const Target = z.object({
  expr: z.string(),
  refId: z.string(),
  datasource: z.object({ type: z.string(), uid: z.string() }),
  exemplar: z.boolean().optional(),
});
const Panel = z.object({
  id: z.number(),
  type: z.string(),
  title: z.string(),
  datasource: z.object({ type: z.string(), uid: z.string() }).optional(),
  targets: z.array(Target).optional(),
  fieldConfig: z.unknown().optional(),
});
const DashboardJson = z.object({
  title: z.string(),
  uid: z.string(),
  templating: z.object({ list: z.array(Variable) }),
  panels: z.array(Panel),
});

const committed = readFileSync(DASHBOARD_JSON_PATH, 'utf8');
const dashboard = DashboardJson.parse(JSON.parse(committed));
const dataPanels = dashboard.panels.filter((p) => p.type !== 'row');
const workDir = mkdtempSync(join(tmpdir(), 'presgen-dashboard-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/**
 * Grafana expands these before the query reaches Prometheus; substitute what Grafana would,
 * including every custom variable's current value.
 */
function substituteGrafanaVariables(expr: string): string {
  let out = expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m');
  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'custom') continue;
    out = out
      .replaceAll(`$${variable.name}`, String(variable.current?.value))
      .replaceAll(`\${${variable.name}}`, String(variable.current?.value));
  }
  return out;
}

/** promtool parses every expression when it checks a rules file; each query becomes a recording rule. */
function checkExpressionsWithPromtool(exprs: string[]) {
  const file = join(workDir, `queries-${exprs.length}-${Math.random().toString(36).slice(2)}.yml`);
  const rules = exprs.map((expr, i) => ({ record: `dashboard:query_${i}`, expr }));
  writeFileSync(file, stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
  return runPromtool(['check', 'rules', file]);
}

describe('Workflow Orchestration dashboard', () => {
  it('docs/observability/dashboard.json is what the builder generates (run scripts/observability/build-dashboard.ts)', () => {
    expect(committed).toBe(renderDashboardJson());
  });

  it('has the title, a prometheus datasource variable and uses it on every panel and query', () => {
    expect(dashboard.title).toBe('Workflow Orchestration');
    const variable = dashboard.templating.list.find((v) => v.name === DATASOURCE_VARIABLE);
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const panel of dataPanels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource.uid, panel.title).toBe('${datasource}');
    }
  });

  it('has the panels the issue asks for', () => {
    const titles = dataPanels.map((p) => p.title);
    const required = [
      /^SLA P95/,
      /^Throughput/,
      /^Step latency p50 \/ p95/,
      /^Retries by step and reason/,
      /^External API error ratio/,
      /^Circuit state/,
      /^Workspace command backlog/,
      /^Apps Script quota/,
      /^Workflows by status/,
      /^Notification backlog/,
      /^HTTP request rate by route/,
      /^HTTP error ratio by route/,
      /^HTTP latency p95 by route/,
    ];
    for (const pattern of required)
      expect(
        titles.some((t) => pattern.test(t)),
        String(pattern),
      ).toBe(true);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  });

  it('the SLA panel plots the P95 of the active-phase histogram with an 1800 s threshold', () => {
    const sla = dataPanels.find((p) => p.title.startsWith('SLA P95'))!;
    expect(sla.targets?.[0].expr).toMatch(/histogram_quantile\(0\.95, .*presgen_workflow_active_phase_duration_seconds_bucket/);
    expect(JSON.stringify(sla.fieldConfig)).toContain('"value":1800');
    // Exemplars on: a point on the SLA panel links to the workflow's trace (docs/observability/README.md).
    expect(sla.targets?.[0]).toMatchObject({ exemplar: true });
  });

  it('dashboardQueries() lists exactly the expressions in the JSON', () => {
    const fromJson = dataPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
    expect(dashboardQueries()).toEqual(fromJson);
    expect(dashboardQueries(JSON.parse(committed))).toEqual(fromJson);
  });

  it('every panel query parses (promtool check rules on the extracted expressions)', () => {
    const exprs = dashboardQueries(JSON.parse(committed)).map((q) => substituteGrafanaVariables(q.expr));
    for (const expr of exprs) expect(expr, 'an unsubstituted Grafana variable').not.toContain('$');
    const { code, output } = checkExpressionsWithPromtool(exprs);
    expect(code, output).toBe(0);
    expect(output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });

  it('the parse check does reject broken PromQL (control)', () => {
    const { code, output } = checkExpressionsWithPromtool(['sum by (service) (rate(presgen_step_retries_total[5m])']);
    expect(code).not.toBe(0);
    expect(output).toMatch(/parse error|unclosed|unexpected/i);
  });

  it('only queries metrics the backend registers', () => {
    const known = registeredMetricNames();
    for (const { panel, expr } of dashboardQueries()) {
      for (const name of metricNamesIn(expr)) expect(known, `${panel} uses ${name}`).toContain(name);
    }
  });
});
