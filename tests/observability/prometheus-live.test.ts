import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '../support/prometheus';

/**
 * Proves tests/support/prometheus.ts against a real Prometheus: it scrapes a tiny loopback
 * exporter with a counter and a histogram, and PromQL through the HTTP API returns exact values.
 */

// Histogram with buckets 1, 5, 10: 10 observations <= 1, 80 in (1, 5], 10 in (5, 10].
// Cumulative: le=1 -> 10, le=5 -> 90, le=10 -> 100. P95 rank 95 falls in (5, 10]:
// 5 + (10 - 5) * (95 - 90) / (100 - 90) = 7.5.
const EXPECTED_P95 = 7.5;

let exporter: Server;
let prometheus: PrometheusServer;
let scrapes = 0;

beforeAll(async () => {
  const registry = new client.Registry();
  const requests = new client.Counter({ name: 'live_demo_requests_total', help: 'demo counter', registers: [registry] });
  const duration = new client.Histogram({
    name: 'live_demo_duration_seconds',
    help: 'demo histogram',
    buckets: [1, 5, 10],
    registers: [registry],
  });
  requests.inc(42);
  for (let i = 0; i < 10; i++) duration.observe(0.5);
  for (let i = 0; i < 80; i++) duration.observe(3);
  for (let i = 0; i < 10; i++) duration.observe(7);

  exporter = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    scrapes++;
    registry.metrics().then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body));
  });
  await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
  const { port } = exporter.address() as AddressInfo;
  prometheus = await startPrometheus({ target: `127.0.0.1:${port}`, jobName: 'live-demo' });
});

afterAll(async () => {
  await prometheus?.close();
  await new Promise((resolve) => exporter?.close(resolve));
});

describe('real Prometheus on loopback', () => {
  it('scrapes the target and reads the counter', async () => {
    expect(await prometheus.waitForValue('live_demo_requests_total')).toBe(42);
    expect(await prometheus.query('up{job="live-demo"}')).toBe(1);
    expect(scrapes).toBeGreaterThanOrEqual(1);
  });

  it('computes histogram_quantile over the scraped buckets', async () => {
    const p95 = await prometheus.waitForValue('histogram_quantile(0.95, sum by (le) (live_demo_duration_seconds_bucket))');
    expect(p95).toBeCloseTo(EXPECTED_P95, 9);
    const buckets = await prometheus.queryVector('live_demo_duration_seconds_bucket');
    expect(Object.fromEntries(buckets.map((s) => [s.labels.le, s.value]))).toEqual({ '1': 10, '5': 90, '10': 100, '+Inf': 100 });
  });

  it('returns undefined for an empty result and rejects bad PromQL with the query in the message', async () => {
    expect(await prometheus.query('no_such_metric_anywhere')).toBeUndefined();
    await expect(prometheus.query('sum(')).rejects.toThrow(/prometheus query failed .*sum\(/);
    await expect(prometheus.query('live_demo_duration_seconds_bucket')).rejects.toThrow(/4 series, expected one/);
  });

  it('close() stops the server and removes its files', async () => {
    const other = await startPrometheus({ target: '127.0.0.1:9', jobName: 'closing' });
    const dirBefore = await fetch(`${other.url}/api/v1/status/flags`).then((r) => r.json() as Promise<{ data: Record<string, string> }>);
    const storage = dirBefore.data['storage.tsdb.path'];
    expect(storage).toMatch(/presgen-prometheus-/);
    await other.close();
    await other.close(); // idempotent
    await expect(fetch(`${other.url}/-/ready`)).rejects.toThrow();
    expect(existsSync(storage)).toBe(false);
  });

  it('rejects a malformed target before starting anything', async () => {
    await expect(startPrometheus({ target: 'http://127.0.0.1:80/metrics' })).rejects.toThrow(/host:port/);
  });
});
