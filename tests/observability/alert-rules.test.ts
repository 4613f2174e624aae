import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { INSTALL_SCRIPT, REPO_ROOT, locatePrometheusBinary, runPromtool } from '../support/prometheus';
import { registeredMetricNames, metricNamesIn } from './metric-names';

const ALERTS = 'docs/observability/alerts.yml';
const ALERT_TESTS = 'docs/observability/alerts.test.yml';
const RUNBOOK = 'docs/runbooks/workflow_failures.md';

const AlertRule = z.object({
  alert: z.string(),
  expr: z.string(),
  for: z.string().optional(),
  labels: z.object({ severity: z.enum(['critical', 'warning']) }),
  annotations: z.object({
    summary: z.string().min(1),
    description: z.string().min(1),
    runbook_url: z.string().regex(/^docs\/runbooks\/workflow_failures\.md#[a-z0-9-]+$/),
  }),
});
const RulesFile = z.object({ groups: z.array(z.object({ name: z.string(), rules: z.array(AlertRule) })) });
const RuleTestsFile = z.object({
  tests: z.array(
    z.object({
      name: z.string(),
      alert_rule_test: z.array(z.object({ alertname: z.string(), exp_alerts: z.array(z.unknown()) })).optional(),
    }),
  ),
});

const rules = RulesFile.parse(parse(readFileSync(join(REPO_ROOT, ALERTS), 'utf8'))).groups.flatMap((g) => g.rules);
const ruleTests = RuleTestsFile.parse(parse(readFileSync(join(REPO_ROOT, ALERT_TESTS), 'utf8'))).tests;

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

describe('promtool on the alert rules', () => {
  it(`finds promtool (else run ${INSTALL_SCRIPT})`, () => {
    expect(locatePrometheusBinary('promtool')).toMatch(/promtool$/);
  });

  it('promtool check rules accepts alerts.yml', () => {
    const { code, output } = runPromtool(['check', 'rules', ALERTS]);
    expect(code, output).toBe(0);
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('promtool test rules passes alerts.test.yml', () => {
    const { code, output } = runPromtool(['test', 'rules', ALERT_TESTS]);
    expect(code, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });

  it('the install script is idempotent once the binaries are there', () => {
    locatePrometheusBinary('promtool');
    const run = spawnSync('bash', [join(REPO_ROOT, INSTALL_SCRIPT)], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(join(REPO_ROOT, '.tools/prometheus/usr/bin'));
    expect(run.stderr).not.toMatch(/Get:|download/i);
  });
});

describe('alerts.yml content', () => {
  it('has every alert the issue asks for', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual(
      [
        'PresGenAppsScriptQuotaNearLimit',
        'PresGenBackendDown',
        'PresGenReplicaDown',
        'PresGenCircuitOpen',
        'PresGenExternalApiErrorRatioHigh',
        'PresGenNotificationBacklogGrowing',
        'PresGenNotificationsFailing',
        'PresGenSlaBreach',
        'PresGenWorkflowsNeedAttention',
        'PresGenWorkspaceCommandsStuck',
      ].sort(),
    );
  });

  it('every alert has a severity, a summary, a description and its own runbook anchor', () => {
    // The zod schema above already enforces presence and shape; anchors must not be shared.
    const anchors = rules.map((r) => r.annotations.runbook_url.split('#')[1]);
    expect(new Set(anchors).size).toBe(rules.length);
  });

  it('the SLA alert takes the P95 over the rate of the active-phase _bucket series against 1800 s', () => {
    const sla = rules.find((r) => r.alert === 'PresGenSlaBreach')!;
    expect(sla.expr.replace(/\s+/g, ' ')).toMatch(
      /histogram_quantile\(0\.95, sum by \(le\) \(rate\(presgen_workflow_active_phase_duration_seconds_bucket\[1h\]\)\) \) > 1800/,
    );
  });

  it('only uses metrics the backend registers', () => {
    const known = registeredMetricNames();
    for (const rule of rules) {
      for (const name of metricNamesIn(rule.expr)) expect(known, `${rule.alert} uses ${name}`).toContain(name);
    }
  });

  it('every alert has a unit test that fires and one that must not fire', () => {
    for (const rule of rules) {
      const cases = ruleTests.flatMap((t) => t.alert_rule_test ?? []).filter((c) => c.alertname === rule.alert);
      expect(
        cases.some((c) => c.exp_alerts.length > 0),
        `${rule.alert} fires somewhere`,
      ).toBe(true);
      expect(
        cases.some((c) => c.exp_alerts.length === 0),
        `${rule.alert} has a must-not-fire case`,
      ).toBe(true);
    }
  });

  // The runbook is written in another slice; until it exists this check is reported as skipped.
  it.runIf(existsSync(join(REPO_ROOT, RUNBOOK)))('every runbook_url anchor is a heading of the runbook', () => {
    const markdown = readFileSync(join(REPO_ROOT, RUNBOOK), 'utf8');
    const anchors = new Set([...markdown.matchAll(/^#{2,3} (.+)$/gm)].map((m) => headingAnchor(m[1])));
    for (const rule of rules) {
      const anchor = rule.annotations.runbook_url.split('#')[1];
      expect(anchors, `${rule.alert} -> #${anchor}`).toContain(anchor);
    }
  });
});
