import { Worker } from 'node:worker_threads';
import { startTracing } from '../backend/observability/tracing';
import { startPresgenProcess } from '../tests/support/presgen-process';
import { createTestDatabase } from '../tests/support/postgres';
import { benchRequest, createWorkflows, startBenchBackend, throughputEnv, waitForCompletion } from './harness';
import { fmt } from './stats';

/**
 * Issue 12: the cost of tracing. The same batch of 11-step workflows (zero-latency simulators,
 * local Postgres) with tracing off (no SDK: the default) and on (SDK, batch processor, OTLP/HTTP
 * export of every span to a loopback sink), alternating off/on rounds on fresh databases so a
 * drift of the shared machine hits both alike. Prints workflows/s and the relative cost.
 */
const SINK_SOURCE = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
let requests = 0, bytes = 0, spans = 0;
const server = http.createServer((req, res) => {
  if (req.url === '/stats') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end(JSON.stringify({ requests, bytes, spans })); }
  requests++;
  const chunks = [];
  req.on('data', (c) => { bytes += c.length; chunks.push(c); });
  req.on('end', () => {
    for (const rs of JSON.parse(Buffer.concat(chunks).toString('utf8')).resourceSpans || []) for (const ss of rs.scopeSpans || []) spans += (ss.spans || []).length;
    res.writeHead(200, { 'content-type': 'application/json' }); res.end('{}');
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

export async function runTracingBench(opts: { workflows: number; concurrency: number; rounds: number }): Promise<void> {
  // The receiver runs in a worker thread: decoding the export is the collector's work, not the backend's.
  const sink = new Worker(SINK_SOURCE, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    sink.once('error', reject);
    sink.once('message', resolve);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const presgen = await startPresgenProcess(0);
  const rates: Record<'off' | 'on', number[]> = { off: [], on: [] };
  try {
    for (let round = 0; round < opts.rounds; round++) {
      for (const mode of ['off', 'on'] as const) {
        const tracing = mode === 'on' ? startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }) : undefined;
        const db = await createTestDatabase('presgen_bench');
        const backend = await startBenchBackend(throughputEnv(db.url, presgen, opts.concurrency));
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
  }
  const exported = (await (await fetch(`${endpoint}/stats`)).json()) as { requests: number; bytes: number; spans: number };
  await sink.terminate();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const off = mean(rates.off);
  const on = mean(rates.on);
  console.log(
    `\n== Tracing cost: ${opts.workflows} workflows x 11 steps, ${opts.rounds} round(s) off/on, zero-latency simulators, local Postgres ==`,
  );
  console.log(`tracing off               ${fmt(off, 1)} workflows/s   (rounds: ${rates.off.map((r) => fmt(r, 1)).join(', ')})`);
  console.log(`tracing on (OTLP/HTTP)    ${fmt(on, 1)} workflows/s   (rounds: ${rates.on.map((r) => fmt(r, 1)).join(', ')})`);
  console.log(`throughput cost           ${fmt((100 * (off - on)) / off, 1)} %`);
  const tracedWorkflows = opts.rounds * (opts.workflows + 5);
  console.log(
    `exported                  ${exported.spans} spans (${fmt(exported.spans / tracedWorkflows, 0)} per workflow), ${exported.requests} OTLP requests, ${fmt(exported.bytes / 1024 / 1024, 1)} MiB`,
  );
}
