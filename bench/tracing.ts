import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTracing } from '../backend/observability/tracing';
import { startPresgenProcess } from '../tests/support/presgen-process';
import { createTestDatabase } from '../tests/support/postgres';
import { benchRequest, createWorkflows, startBenchBackend, waitForCompletion } from './harness';
import { fmt } from './stats';

/**
 * Issue 12: the cost of tracing. The same batch of 11-step workflows (zero-latency simulators,
 * local Postgres) with tracing off (no SDK: the default) and on (SDK, batch processor, OTLP/HTTP
 * export of every span to a loopback sink), alternating off/on rounds on fresh databases so a
 * drift of the shared machine hits both alike. Prints workflows/s and the relative cost.
 */
export async function runTracingBench(opts: { workflows: number; concurrency: number; rounds: number }): Promise<void> {
  let exportedBytes = 0;
  let exportRequests = 0;
  const sink = createServer((req, res) => {
    exportRequests++;
    req.on('data', (c: Buffer) => (exportedBytes += c.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const presgen = await startPresgenProcess(0);
  const rates: Record<'off' | 'on', number[]> = { off: [], on: [] };
  try {
    for (let round = 0; round < opts.rounds; round++) {
      for (const mode of ['off', 'on'] as const) {
        const tracing = mode === 'on' ? startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }) : undefined;
        const db = await createTestDatabase('presgen_bench');
        const backend = await startBenchBackend({
          DATABASE_URL: db.url,
          DATABASE_POOL_SIZE: '20',
          PRESGEN_CORE_URL: presgen.coreUrl,
          PRESGEN_AVATAR_URL: presgen.avatarUrl,
          ENGINE_CONCURRENCY: String(opts.concurrency),
          PRESGEN_CORE_CONCURRENCY: '500',
          PRESGEN_AVATAR_CONCURRENCY: '500',
          PRESGEN_POLL_MS: '1',
          INTEGRATION_REPORT_ENABLED: 'false',
        });
        try {
          await waitForCompletion(backend.runtime.database, await createWorkflows(backend.runtime.database, 5, benchRequest(1)), 60_000);
          const started = performance.now();
          const ids = await createWorkflows(backend.runtime.database, opts.workflows, benchRequest(1));
          await waitForCompletion(backend.runtime.database, ids, 30 * 60_000);
          rates[mode].push(opts.workflows / ((performance.now() - started) / 1000));
        } finally {
          await backend.stop().catch(() => undefined);
          await tracing?.shutdown(); // flushes the last spans
          await db.drop();
        }
      }
    }
  } finally {
    await presgen.close();
    await new Promise((resolve) => sink.close(resolve));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const off = mean(rates.off);
  const on = mean(rates.on);
  console.log(`\n== Tracing cost: ${opts.workflows} workflows x 11 steps, ${opts.rounds} round(s) off/on, zero-latency simulators, local Postgres ==`);
  console.log(`tracing off               ${fmt(off, 1)} workflows/s   (rounds: ${rates.off.map((r) => fmt(r, 1)).join(', ')})`);
  console.log(`tracing on (OTLP/HTTP)    ${fmt(on, 1)} workflows/s   (rounds: ${rates.on.map((r) => fmt(r, 1)).join(', ')})`);
  console.log(`throughput cost           ${fmt((100 * (off - on)) / off, 1)} %`);
  console.log(`exported                  ${exportRequests} OTLP requests, ${fmt(exportedBytes / 1024 / 1024, 1)} MiB`);
}
