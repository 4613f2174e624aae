import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

/** Small node:http helpers for the simulators: JSON in (size-capped, zod-checked), JSON out. */

const MAX_BODY_BYTES = 2 * 1024 * 1024;

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, problem: HttpProblem, headers: Record<string, string> = {}): void {
  const error: Record<string, unknown> = { code: problem.code, message: problem.message };
  if (problem.details !== undefined) error.details = problem.details;
  sendJson(res, problem.status, { error }, headers);
}

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, 'payload_too_large', `body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.length) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpProblem(400, 'invalid_json', 'body is not valid JSON');
  }
}

/** 400 whose message names every offending field, e.g. "slides.0.title: Invalid input". */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  throw new HttpProblem(400, 'invalid_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}
