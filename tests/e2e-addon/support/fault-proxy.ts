import { Worker } from 'node:worker_threads';
import { z } from 'zod';

/**
 * A loopback HTTP proxy between the add-on and the backend that can answer chosen requests
 * itself with an error (a load balancer's 503 while replicas restart, a completion that never
 * reaches the backend) instead of forwarding them.
 *
 * It runs in a worker thread: the emulator's UrlFetch blocks the main thread, so a main-thread
 * proxy could never answer. Control it from the main thread between emulator runs.
 */

export interface FaultRule {
  method?: string;
  /** Regular expression tested against the request path (no query string). */
  path: string;
  status: number;
  /** How many matching requests fail; later ones pass through. */
  times: number;
  retryAfterSeconds?: number;
}

const Injected = z.object({ method: z.string(), path: z.string(), status: z.number() });
const ProxyStats = z.object({ forwarded: z.number(), injected: z.array(Injected) });
export type ProxyStats = z.infer<typeof ProxyStats>;

export interface FaultProxy {
  url: string;
  fail(rule: FaultRule): Promise<void>;
  /** Drop every rule: from now on everything passes through. */
  clear(): Promise<void>;
  stats(): Promise<ProxyStats>;
  close(): Promise<void>;
}

const PROXY_SOURCE = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const target = new URL(workerData.target);
let rules = [];
const stats = { forwarded: 0, injected: [] };
const send = (res, status, body, headers) => {
  res.writeHead(status, Object.assign({ 'content-type': 'application/json' }, headers || {}));
  res.end(JSON.stringify(body));
};
const server = http.createServer((req, res) => {
  const path = (req.url || '/').split('?')[0];
  if (path.startsWith('/__proxy/')) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (path === '/__proxy/fail') { rules.push(JSON.parse(Buffer.concat(chunks).toString('utf8'))); res.writeHead(204); return res.end(); }
      if (path === '/__proxy/clear') { rules = []; res.writeHead(204); return res.end(); }
      if (path === '/__proxy/stats') return send(res, 200, stats);
      send(res, 404, { error: 'unknown control path' });
    });
    return;
  }
  const rule = rules.find((r) => r.times > 0 && (!r.method || r.method === req.method) && new RegExp(r.path).test(path));
  if (rule) {
    rule.times--;
    stats.injected.push({ method: req.method, path, status: rule.status });
    req.resume();
    const headers = rule.retryAfterSeconds !== undefined ? { 'retry-after': String(rule.retryAfterSeconds) } : {};
    return send(res, rule.status, { error: { code: 'unavailable', message: 'injected by the test proxy' } }, headers);
  }
  stats.forwarded++;
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (up) => { res.writeHead(up.statusCode || 502, up.headers); up.pipe(res); },
  );
  upstream.on('error', () => { if (!res.headersSent) send(res, 502, { error: { code: 'bad_gateway', message: 'backend unreachable' } }); else res.destroy(); });
  req.pipe(upstream);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const worker = new Worker(PROXY_SOURCE, { eval: true, workerData: { target: targetUrl } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { port: number }) => resolve(m.port));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async fail(rule) {
      const res = await fetch(`${url}/__proxy/fail`, { method: 'POST', body: JSON.stringify(rule) });
      if (res.status !== 204) throw new Error(`fault proxy refused the rule: HTTP ${res.status}`);
    },
    async clear() {
      const res = await fetch(`${url}/__proxy/clear`, { method: 'POST' });
      if (res.status !== 204) throw new Error(`fault proxy did not clear: HTTP ${res.status}`);
    },
    async stats() {
      return ProxyStats.parse(await (await fetch(`${url}/__proxy/stats`)).json());
    },
    async close() {
      await worker.terminate();
    },
  };
}
