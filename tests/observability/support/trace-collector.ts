import { Worker } from 'node:worker_threads';
import { z } from 'zod';

/**
 * A real OTLP/HTTP (JSON) trace receiver on loopback, plus recording proxies in front of the
 * PresGen simulators that note the `traceparent` of every request they forward. Both run in a
 * worker thread: the emulator's UrlFetch blocks the main thread, and the backend exports spans
 * (and calls PresGen) meanwhile. Read the results from the main thread between emulator runs.
 */

const Attr = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export const CollectedSpan = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string(),
  name: z.string(),
  kind: z.number(),
  startTimeUnixNano: z.string(),
  endTimeUnixNano: z.string(),
  attributes: Attr,
  links: z.array(z.object({ traceId: z.string(), spanId: z.string() })),
  service: z.string(),
});
export type CollectedSpan = z.infer<typeof CollectedSpan>;
const Forwarded = z.object({ target: z.string(), method: z.string(), path: z.string(), traceparent: z.string().nullable() });
export type Forwarded = z.infer<typeof Forwarded>;

const SOURCE = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const spans = [];
const forwarded = [];
let exportRequests = 0;
const value = (v) => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.doubleValue ?? v.boolValue ?? JSON.stringify(v));
const attrs = (list) => Object.fromEntries((list || []).map((a) => [a.key, value(a.value || {})]));
const send = (res, status, body) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
const receiver = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/v1/traces') {
      exportRequests++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      for (const rs of body.resourceSpans || []) {
        const service = String(attrs(rs.resource && rs.resource.attributes)['service.name'] || '');
        for (const ss of rs.scopeSpans || []) for (const s of ss.spans || []) {
          spans.push({ traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId || '', name: s.name, kind: s.kind || 0,
            startTimeUnixNano: String(s.startTimeUnixNano), endTimeUnixNano: String(s.endTimeUnixNano), attributes: attrs(s.attributes),
            links: (s.links || []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })), service });
        }
      }
      return send(res, 200, {});
    }
    if (req.url === '/__collector/spans') return send(res, 200, { spans, exportRequests });
    if (req.url === '/__collector/forwarded') return send(res, 200, forwarded);
    send(res, 404, {});
  });
});
const proxyFor = (name, target) => http.createServer((req, res) => {
  const t = new URL(target);
  forwarded.push({ target: name, method: req.method, path: (req.url || '/').split('?')[0], traceparent: req.headers.traceparent || null });
  const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (r) => { res.writeHead(r.statusCode || 502, r.headers); r.pipe(res); });
  up.on('error', () => { if (!res.headersSent) send(res, 502, {}); else res.destroy(); });
  req.pipe(up);
});
const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
(async () => {
  const ports = { receiver: await listen(receiver), proxies: {} };
  for (const [name, target] of Object.entries(workerData.targets)) ports.proxies[name] = await listen(proxyFor(name, target));
  parentPort.postMessage(ports);
})();
`;

export interface TraceCollector {
  /** OTEL_EXPORTER_OTLP_ENDPOINT for the backend. */
  endpoint: string;
  /** Proxy URL per target name. */
  proxies: Record<string, string>;
  spans(): Promise<CollectedSpan[]>;
  forwarded(): Promise<Forwarded[]>;
  close(): Promise<void>;
}

export async function startTraceCollector(targets: Record<string, string>): Promise<TraceCollector> {
  const worker = new Worker(SOURCE, { eval: true, workerData: { targets } });
  const ports = await new Promise<{ receiver: number; proxies: Record<string, number> }>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', resolve);
  });
  const endpoint = `http://127.0.0.1:${ports.receiver}`;
  return {
    endpoint,
    proxies: Object.fromEntries(Object.entries(ports.proxies).map(([name, port]) => [name, `http://127.0.0.1:${port}`])),
    async spans() {
      const body = z.object({ spans: z.array(CollectedSpan) }).parse(await (await fetch(`${endpoint}/__collector/spans`)).json());
      return body.spans;
    },
    async forwarded() {
      return z.array(Forwarded).parse(await (await fetch(`${endpoint}/__collector/forwarded`)).json());
    },
    async close() {
      await worker.terminate();
    },
  };
}
