import pRetry from 'p-retry';
import type { z } from 'zod';
import { currentLogContext, log } from '../observability/logger';
import { annotateActiveSpan, injectTraceHeaders, SpanKind, withSpan } from '../observability/tracing';
import { externalRequestDuration, externalRequests, type ServiceName } from '../observability/metrics';
import { PermanentError, TransientError } from '../errors';
import { BreakerFailure, CircuitBreakers, CircuitOpen, type BreakerStateName } from './circuit-breakers';
import { performExchange, type ExchangeResult, type OutboundRequest } from './http-exchange';
import type { RateLimiter } from './rate-limiter';
import { sanitizeUrl } from './sanitize-url';

export type { OutboundRequest, OutboundOutcome, HttpMethod } from './http-exchange';
export { sanitizeUrl } from './sanitize-url';

/**
 * THE outbound HTTP client: every integration call goes through `request()`.
 *
 * Layers, outermost first:
 *  1. p-retry: a few in-request retries of transient failures, exponential backoff with jitter.
 *     A Retry-After up to `maxRetryDelayMs` is honoured in-request (as a floor under the backoff);
 *     a longer one is NOT slept here: the TransientError (with `retryAfterMs`) goes to the caller,
 *     and the durable engine schedules the retry, so no request holds a worker for minutes.
 *  2. a per-service circuit breaker (cockatiel): after N consecutive transient failures calls fail
 *     fast with TransientError reason 'circuit_open' until a half-open test call succeeds.
 *     A circuit_open error is never retried in-request.
 *  3. one exchange: fetch with a timeout, classified into success / TransientError / PermanentError.
 *     Before it, when a rate limiter is configured for the service, a token is taken from the
 *     cross-replica bucket in Postgres (skipped while the circuit is open: a fail-fast sends nothing).
 *
 * Every attempt is counted in `presgen_external_requests_total` and logged without query string,
 * headers or bodies (debug on success, warn on failure).
 */

export interface OutboundHttpClientOptions {
  /** Per-attempt timeout; default 10 s. */
  timeoutMs?: number;
  /** In-request retries for transient errors; default 2. */
  retries?: number;
  /** Backoff bounds for in-request retries; default 200 ms .. 5 s. */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Default 5 consecutive failures, half-open after 30 s. */
  breaker?: { consecutiveFailures: number; halfOpenAfterMs: number };
  /** Default headers per service (e.g. auth); request headers win. */
  headers?: (service: ServiceName) => Record<string, string>;
  /** Cross-replica rate limit, applied before every attempt that goes out (see rate-limiter.ts). */
  rateLimiter?: RateLimiter;
}

const DEFAULTS = {
  timeoutMs: 10_000,
  retries: 2,
  minRetryDelayMs: 200,
  maxRetryDelayMs: 5_000,
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 30_000 },
};

export class OutboundHttpClient {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly minRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly defaultHeaders: (service: ServiceName) => Record<string, string>;
  private readonly breakers: CircuitBreakers;
  private readonly rateLimiter?: RateLimiter;

  constructor(opts: OutboundHttpClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULTS.timeoutMs;
    this.retries = opts.retries ?? DEFAULTS.retries;
    this.minRetryDelayMs = opts.minRetryDelayMs ?? DEFAULTS.minRetryDelayMs;
    this.maxRetryDelayMs = Math.max(this.minRetryDelayMs, opts.maxRetryDelayMs ?? DEFAULTS.maxRetryDelayMs);
    this.defaultHeaders = opts.headers ?? (() => ({}));
    this.breakers = new CircuitBreakers(opts.breaker ?? DEFAULTS.breaker);
    this.rateLimiter = opts.rateLimiter;
  }

  async request<T>(req: OutboundRequest, schema: z.ZodType<T>): Promise<T> {
    return pRetry((attemptNumber) => this.attempt(req, schema, attemptNumber), {
      retries: req.retries ?? this.retries,
      factor: 2,
      minTimeout: this.minRetryDelayMs,
      maxTimeout: this.maxRetryDelayMs,
      randomize: true,
      // Awaited by p-retry before its own backoff delay: Retry-After becomes a floor.
      onFailedAttempt: async ({ error, retriesLeft }) => {
        if (retriesLeft > 0 && this.retriableInRequest(error) && error instanceof TransientError && error.retryAfterMs) {
          await sleep(error.retryAfterMs);
        }
      },
      shouldRetry: ({ error }) => this.retriableInRequest(error),
    });
  }

  /**
   * Breaker state per service, for /readyz: every configured service (closed until its first
   * failures: a breaker is created on first use) and any other service used so far.
   */
  breakerStates(configured: readonly ServiceName[] = []): Record<string, BreakerStateName> {
    const unused = Object.fromEntries(configured.map((service) => [service, 'closed' as const]));
    return { ...unused, ...this.breakers.states() };
  }

  private retriableInRequest(error: unknown): boolean {
    if (!(error instanceof TransientError)) return false;
    if (error.reason === 'circuit_open') return false;
    return error.retryAfterMs === undefined || error.retryAfterMs <= this.maxRetryDelayMs;
  }

  private async attempt<T>(req: OutboundRequest, schema: z.ZodType<T>, attemptNumber: number): Promise<T> {
    if (this.rateLimiter && this.breakers.states()[req.service] !== 'open') await this.rateLimiter.acquire(req.service);
    // One CLIENT span per attempt; its traceparent goes out with the request (see outboundSpan).
    const result = await withSpan(`${req.service} ${req.operation}`, outboundSpan(req, attemptNumber), async () => {
      const started = performance.now();
      const r = await this.exchangeThroughBreaker(req, schema);
      this.record(req, r, performance.now() - started, attemptNumber);
      annotateActiveSpan(
        { 'http.response.status_code': r.status ?? 0, 'presgen.outcome': r.outcome },
        r.outcome === 'success' ? undefined : r.outcome,
      );
      return r;
    });
    if (result.outcome === 'success') return result.value;
    throw result.error;
  }

  private async exchangeThroughBreaker<T>(req: OutboundRequest, schema: z.ZodType<T>): Promise<ExchangeResult<T>> {
    try {
      return await this.breakers.execute(req.service, async () => {
        const result = await performExchange(req, schema, {
          timeoutMs: req.timeoutMs ?? this.timeoutMs,
          // W3C traceparent of the active (client) span: PresGen, Phase 2 and Slack continue the trace.
          defaultHeaders: injectTraceHeaders({ ...this.defaultHeaders(req.service) }),
        });
        if (result.outcome !== 'success' && result.error instanceof TransientError) throw new BreakerFailure(result);
        return result;
      });
    } catch (err) {
      if (err instanceof BreakerFailure) return err.payload as ExchangeResult<T>;
      if (err instanceof CircuitOpen) {
        return {
          outcome: 'circuit_open',
          error: new TransientError(`${req.service} ${req.operation}: circuit open`, {
            reason: 'circuit_open',
            retryAfterMs: err.retryAfterMs,
          }),
        };
      }
      throw err;
    }
  }

  private record<T>(req: OutboundRequest, result: ExchangeResult<T>, durationMs: number, attempt: number): void {
    const labels = { service: req.service, operation: req.operation, outcome: result.outcome };
    externalRequests.inc(labels);
    // A fail-fast is not a request: keep it out of the latency histogram.
    if (result.outcome !== 'circuit_open') externalRequestDuration.observe(labels, durationMs / 1000);

    // `integration`, not `service`: the root logger's base already uses `service` for this app.
    const fields = {
      integration: req.service,
      operation: req.operation,
      method: req.method,
      url: req.secretUrl ? originOnly(req.url) : sanitizeUrl(req.url),
      status: result.status,
      outcome: result.outcome,
      duration_ms: Math.round(durationMs * 10) / 10,
      attempt,
    };
    if (result.outcome === 'success') {
      log().debug(fields, 'outbound request');
    } else {
      const e = result.error;
      const category = e instanceof PermanentError ? 'permanent' : 'transient';
      log().warn({ ...fields, reason: e.reason, category }, 'outbound request failed');
    }
  }
}

/** Span attributes of one outbound attempt: bounded names and the workflow, never URL paths or bodies. */
function outboundSpan(req: OutboundRequest, attempt: number) {
  const workflowId = currentLogContext()?.workflow_id;
  return {
    kind: SpanKind.CLIENT,
    attributes: {
      'peer.service': req.service,
      'presgen.operation': req.operation,
      'http.request.method': req.method,
      'http.request.resend_count': attempt - 1,
      ...(workflowId ? { 'workflow.id': workflowId } : {}),
    },
  };
}

/** Scheme and host of a URL whose path is a secret (e.g. a Slack webhook). */
function originOnly(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}/[redacted]`;
  } catch {
    return '[invalid-url]';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
