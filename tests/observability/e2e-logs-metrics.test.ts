import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, rootLogger, setRootLogger } from '../../backend/observability/logger';
import { TestApiClient } from '../support/api-client';
import { startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { startPrometheus, type PrometheusServer } from '../support/prometheus';
import { ScriptedAppsScript } from '../support/scripted-apps-script';
import { startAndSubmit, waitForStatus } from '../support/workflow-driver';

/**
 * A full end-to-end run with its logs captured and a real Prometheus scraping the backend:
 * workflow log lines carry workflow_id/step/attempt, HTTP lines a correlation id, nothing
 * personal or secret is logged, and the SLA P95 query answers what the histogram holds.
 */
describe('logs and metrics of an end-to-end run', () => {
  const lines: Array<Record<string, unknown>> = [];
  let raw = '';
  let identity: TestIdentityProvider;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let prometheus: PrometheusServer | undefined;
  let workflowId: string;
  const instructor = 'observed.instructor@school.example';
  const previous = rootLogger();

  beforeAll(async () => {
    const capture = new Writable({
      write(chunk, _enc, done) {
        raw += chunk.toString();
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    setRootLogger(createLogger(capture));
    identity = await startTestIdentityProvider();
    backend = await startTestBackend(testConfig(identity, { LOG_LEVEL: 'debug' }));
    prometheus = await startPrometheus({ target: backend.url.replace('http://', '') });
    const api = new TestApiClient(backend.url, () => identity.signIdToken({ email: instructor }));
    const appsScript = new ScriptedAppsScript(api);
    appsScript.start();
    workflowId = await startAndSubmit(api, backend.database, { courseCount: 2 });
    await waitForStatus(backend.database, workflowId, ['COMPLETED']);
    await appsScript.stop();
  });
  afterAll(async () => {
    await prometheus?.close();
    await backend?.stop();
    await identity?.close();
    setRootLogger(previous);
  });

  it('every line written inside a step or a fan-out job carries workflow_id, step and attempt', () => {
    const stepLines = lines.filter((l) => 'step' in l || 'workflow_id' in l);
    expect(stepLines.length).toBeGreaterThan(10);
    for (const line of stepLines) {
      expect(line, JSON.stringify(line)).toMatchObject({
        workflow_id: expect.any(String),
        step: expect.any(String),
        attempt: expect.any(Number),
      });
    }
    const mine = stepLines.filter((l) => l.workflow_id === workflowId);
    const steps = new Set(mine.map((l) => l.step));
    for (const step of ['CREATING_GOOGLE_RESOURCES', 'GENERATING_PRESENTATIONS', 'GENERATING_AVATAR_VIDEOS', 'FINALIZING'])
      expect(steps).toContain(step);
    expect(mine.some((l) => l.msg === 'workflow completed')).toBe(true);
  });

  it('HTTP request lines carry a correlation id', () => {
    const http = lines.filter((l) => l.msg === 'http request');
    expect(http.length).toBeGreaterThan(5);
    for (const line of http) expect(line.correlation_id, JSON.stringify(line)).toEqual(expect.any(String));
  });

  it('no email, token or answer is logged', () => {
    expect(raw).not.toContain(instructor);
    expect(raw).not.toContain('learner@example.com');
    expect(raw).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // a JWT
    expect(raw).not.toMatch(/"answers"\s*:\s*\[/);
  });

  it('Prometheus scrapes the backend and the SLA P95 query returns what the histogram holds', async () => {
    const text = await (await fetch(`${backend.url}/metrics`)).text();
    const buckets = [...text.matchAll(/^presgen_workflow_active_phase_duration_seconds_bucket\{le="([^"]+)"\} (\d+)/gm)].map((m) => ({
      le: m[1] === '+Inf' ? Infinity : Number(m[1]),
      count: Number(m[2]),
    }));
    const total = buckets.at(-1)!.count;
    expect(total).toBe(1);
    // histogram_quantile's linear interpolation inside the bucket holding the 95th percentile.
    const rank = 0.95 * total;
    const index = buckets.findIndex((b) => b.count >= rank);
    const lower = index === 0 ? 0 : buckets[index - 1].le;
    const below = index === 0 ? 0 : buckets[index - 1].count;
    const expected = lower + ((buckets[index].le - lower) * (rank - below)) / (buckets[index].count - below);

    const p95 = await prometheus!.waitForValue(
      'histogram_quantile(0.95, sum by (le) (presgen_workflow_active_phase_duration_seconds_bucket))',
      { timeoutMs: 30_000 },
    );
    expect(p95).toBeCloseTo(expected, 6);
    expect(p95).toBeLessThan(1800);
    const completed = await prometheus!.waitForValue('sum(presgen_workflow_transitions_total{to="COMPLETED"})', {
      timeoutMs: 15_000,
      accept: (v) => v >= 1,
    });
    expect(completed).toBe(1);
  });
});
