import { Agent } from 'undici';
import type { z } from 'zod';
import { PermanentError, TransientError, parseRetryAfter } from '../errors';
import type { ServiceName } from '../observability/metrics';

/**
 * One HTTP exchange (no retries, no breaker): send, read, classify. The result carries the
 * metric outcome and the status so the caller can record them; errors are already classified.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type OutboundOutcome = 'success' | 'client_error' | 'server_error' | 'rate_limited' | 'timeout' | 'network_error' | 'circuit_open';

export interface OutboundRequest {
  service: ServiceName;
  /** Bounded metric label, e.g. 'submit', 'poll', 'cancel'. */
  operation: string;
  method: HttpMethod;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as the Idempotency-Key header. */
  idempotencyKey?: string;
  timeoutMs?: number;
  /**
   * In-request retries of transient failures for this call (default: the client's). 0 for a call
   * without idempotency key: the durable caller retries it and records every attempt.
   */
  retries?: number;
  /**
   * How a 2xx body is read: 'json' (default) parses it, 'text' hands the raw text to the schema
   * (Slack incoming webhooks answer a plain `ok`).
   */
  responseType?: 'json' | 'text';
  /**
   * The URL itself is a credential (a Slack webhook path is its secret): only scheme and host
   * are logged.
   */
  secretUrl?: boolean;
}

export type ExchangeResult<T> =
  | { outcome: 'success'; status: number; value: T }
  | { outcome: Exclude<OutboundOutcome, 'success'>; status?: number; error: TransientError | PermanentError };

const MAX_ERROR_TEXT = 300;

/**
 * Node's fetch gives up after 300 s without response headers (undici's headersTimeout), whatever
 * our own timeout says; a synchronous PresGen render holds the request open for many minutes.
 * Calls with a longer timeout go through this agent, which leaves the limit to our AbortSignal.
 */
const UNDICI_DEFAULT_TIMEOUT_MS = 300_000;
let longCallAgent: Agent | undefined;
function dispatcherFor(timeoutMs: number): { dispatcher?: Agent } {
  if (timeoutMs < UNDICI_DEFAULT_TIMEOUT_MS) return {};
  longCallAgent ??= new Agent({ headersTimeout: 0, bodyTimeout: 0 });
  return { dispatcher: longCallAgent };
}

export async function performExchange<T>(
  req: OutboundRequest,
  schema: z.ZodType<T>,
  opts: { timeoutMs: number; defaultHeaders: Record<string, string> },
): Promise<ExchangeResult<T>> {
  const label = `${req.service} ${req.operation}`;
  const accept = req.responseType === 'text' ? 'text/plain, */*' : 'application/json';
  const headers: Record<string, string> = { accept, ...opts.defaultHeaders, ...req.headers };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  if (req.idempotencyKey) headers['idempotency-key'] = req.idempotencyKey;

  // One signal covers connect, headers and body: a server that stalls mid-body times out too.
  const signal = AbortSignal.timeout(opts.timeoutMs);
  let status: number | undefined;
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal,
      ...dispatcherFor(opts.timeoutMs),
    } as RequestInit);
    status = res.status;
    const text = await res.text();
    return classifyResponse(res, text, schema, label, req.responseType ?? 'json');
  } catch (err) {
    if (signal.aborted || isTimeout(err)) {
      return {
        outcome: 'timeout',
        status,
        error: new TransientError(`${label}: timed out after ${opts.timeoutMs} ms`, { reason: 'timeout', cause: err }),
      };
    }
    return {
      outcome: 'network_error',
      status,
      error: new TransientError(`${label}: network error (${errorCode(err)})`, { reason: 'network', cause: err }),
    };
  }
}

function classifyResponse<T>(
  res: Response,
  text: string,
  schema: z.ZodType<T>,
  label: string,
  responseType: 'json' | 'text',
): ExchangeResult<T> {
  const status = res.status;
  if (status >= 200 && status < 300) {
    let body: unknown = text;
    if (responseType === 'json') {
      try {
        body = text.length ? JSON.parse(text) : undefined;
      } catch {
        return contractViolation(status, `${label}: response is not JSON`);
      }
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
      return contractViolation(status, `${label}: response violates the contract: ${truncate(fields)}`);
    }
    return { outcome: 'success', status, value: parsed.data };
  }

  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  const detail = describeErrorBody(text);
  if (status === 429) {
    return {
      outcome: 'rate_limited',
      status,
      error: new TransientError(`${label}: HTTP 429 rate limited${detail}`, { reason: 'http_429', retryAfterMs }),
    };
  }
  if (status >= 500) {
    return {
      outcome: 'server_error',
      status,
      error: new TransientError(`${label}: HTTP ${status}${detail}`, { reason: 'http_5xx', retryAfterMs }),
    };
  }
  // 408: the server gave up waiting for our request; sending it again is the right move.
  if (status === 408) {
    return {
      outcome: 'timeout',
      status,
      error: new TransientError(`${label}: HTTP 408${detail}`, { reason: 'timeout', retryAfterMs }),
    };
  }
  return {
    outcome: 'client_error',
    status,
    error: new PermanentError(`${label}: HTTP ${status}${detail}`, {
      reason: 'http_4xx',
      details: { status, code: errorBodyCode(text) },
    }),
  };
}

/**
 * A 2xx whose body breaks the contract is a server-side defect; it is counted as 'server_error'
 * in metrics (the outcome set is fixed) and thrown as a PermanentError: retrying cannot fix it.
 */
function contractViolation(status: number, message: string): ExchangeResult<never> {
  return { outcome: 'server_error', status, error: new PermanentError(message, { reason: 'contract_violation', details: { status } }) };
}

/**
 * `{ error: { code, message } }` bodies are the jobs contract's error shape, `{ detail: "..." }` is
 * FastAPI's (the real PresGen services); anything else is ignored.
 */
function describeErrorBody(text: string): string {
  const body = parseErrorBody(text);
  if (!body) return '';
  return `: ${truncate([body.code, body.message].filter(Boolean).join(' '))}`;
}

function errorBodyCode(text: string): string | undefined {
  return parseErrorBody(text)?.code;
}

function parseErrorBody(text: string): { code?: string; message?: string } | undefined {
  try {
    const json = JSON.parse(text) as { error?: { code?: unknown; message?: unknown }; detail?: unknown };
    if (typeof json?.detail === 'string') return { message: json.detail };
    const e = json?.error;
    if (!e || typeof e !== 'object') return undefined;
    return {
      code: typeof e.code === 'string' ? e.code : undefined,
      message: typeof e.message === 'string' ? e.message : undefined,
    };
  } catch {
    return undefined;
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** undici hides the system error code in `cause`; surface only the code, never the URL. */
function errorCode(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } })?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return err instanceof Error ? err.name : 'unknown';
}

function truncate(s: string): string {
  return s.length > MAX_ERROR_TEXT ? `${s.slice(0, MAX_ERROR_TEXT)}…` : s;
}
