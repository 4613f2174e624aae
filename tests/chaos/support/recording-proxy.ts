import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP pass-through in front of a PresGen simulator that records who called: the simulator's
 * own request log has times and statuses but not the caller, and "Retry-After honoured for that
 * client" needs the caller. The client of a submit is its Idempotency-Key; of a poll or cancel,
 * the job id in the path (one fan-out item holds one job at a time).
 */

export interface RecordedRequest {
  /** Epoch ms when the request reached the proxy. */
  at: number;
  method: string;
  path: string;
  operation: 'submit' | 'poll' | 'cancel' | 'other';
  client: string;
  status: number;
  retryAfter?: string;
}

export interface RecordingProxy {
  url: string;
  records: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordingProxy(targetUrl: string): Promise<RecordingProxy> {
  const target = new URL(targetUrl);
  const records: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const at = Date.now();
    const path = (req.url ?? '/').split('?')[0];
    const job = /^\/v1\/jobs\/([^/]+)(\/cancel)?$/.exec(path);
    const operation = job ? (job[2] ? 'cancel' : 'poll') : req.method === 'POST' && path.startsWith('/v1/') ? 'submit' : 'other';
    const client = job ? `job:${decodeURIComponent(job[1])}` : `key:${String(req.headers['idempotency-key'] ?? '')}`;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        const retryAfter = up.headers['retry-after'];
        records.push({
          at,
          method: req.method ?? 'GET',
          path,
          operation,
          client,
          status: up.statusCode ?? 0,
          retryAfter: retryAfter ? String(retryAfter) : undefined,
        });
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"proxy","message":"upstream unreachable"}}');
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    records,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
