import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ASSESSMENT_API_ERROR_STATUS, type AssessmentApiErrorBody } from '../../../backend/assessment/api-contract';
import { type AssessmentEngine, BuiltInAssessmentEngine } from '../../../backend/assessment/engine';
import { PermanentError } from '../../../backend/errors';

/**
 * A tiny Phase 2 assessment API on loopback: the documented contract served by the built-in
 * engine. Records what it received and can be told to fail the next N requests (transient errors).
 */

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  idempotencyKey?: string;
}

export interface AssessmentApiServer {
  url: string;
  requests: RecordedRequest[];
  failNext(count: number, status: number, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  code: keyof typeof ASSESSMENT_API_ERROR_STATUS,
  message: string,
  details?: unknown,
  headers?: Record<string, string>,
): void {
  const body: AssessmentApiErrorBody = { error: { code, message, details } };
  send(res, ASSESSMENT_API_ERROR_STATUS[code], body, headers);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
}

async function route(engine: AssessmentEngine, method: string, path: string, req: IncomingMessage): Promise<unknown> {
  if (method === 'GET' && path === '/v1/certifications') return { certifications: await engine.listProfiles() };
  const one = /^\/v1\/certifications\/([^/]+)$/.exec(path);
  if (method === 'GET' && one) return engine.getProfile(decodeURIComponent(one[1]));
  if (method === 'POST') {
    const body = (await readJson(req)) as never;
    if (path === '/v1/assessments') return engine.generateAssessment(body);
    if (path === '/v1/gap-analyses') return engine.analyzeGaps(body);
    if (path === '/v1/training-plans') return engine.buildTrainingPlan(body);
    if (path === '/v1/course-outlines') return engine.buildCourseOutlines(body);
  }
  return undefined;
}

export async function startAssessmentApiServer(opts: { token: string; engine?: AssessmentEngine }): Promise<AssessmentApiServer> {
  const engine = opts.engine ?? new BuiltInAssessmentEngine();
  const requests: RecordedRequest[] = [];
  const failures = { remaining: 0, status: 503, retryAfterSeconds: undefined as number | undefined };

  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push({
      method,
      path,
      authorization: req.headers.authorization,
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
    });

    if (failures.remaining > 0) {
      failures.remaining--;
      const headers: Record<string, string> =
        failures.retryAfterSeconds !== undefined ? { 'retry-after': String(failures.retryAfterSeconds) } : {};
      return sendError(res, failures.status === 429 ? 'rate_limited' : 'unavailable', 'injected failure', undefined, headers);
    }
    if (req.headers.authorization !== `Bearer ${opts.token}`) return sendError(res, 'unauthorized', 'missing or invalid bearer token');

    route(engine, method, path, req).then(
      (result) => (result === undefined ? sendError(res, 'invalid_request', `no route ${method} ${path}`) : send(res, 200, result)),
      (err: unknown) => {
        if (err instanceof SyntaxError) return sendError(res, 'invalid_request', 'body is not JSON');
        if (err instanceof PermanentError) {
          if (err.reason === 'unknown_certification') return sendError(res, 'unknown_certification', err.message);
          if (err.reason === 'invalid_input') return sendError(res, 'invalid_request', err.message, err.details);
          return sendError(res, 'unprocessable', err.message);
        }
        return sendError(res, 'internal', 'internal error');
      },
    );
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(count, status, retryAfterSeconds) {
      Object.assign(failures, { remaining: count, status, retryAfterSeconds });
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
