import { backoffDelayMs, parseRetryAfter } from '../../shared/backoff';

/**
 * When to retry a backend call. 5xx, 429, 408 and network failures (status 0) are transient;
 * every other status is the caller's problem and is never retried. A Retry-After header wins over
 * our own backoff; if the wait does not fit in the execution budget we stop now rather than be
 * killed mid-sleep.
 */

export const NETWORK_FAILURE_STATUS = 0;

export type RetryDecision =
  { retry: true; delayMs: number } | { retry: false; reason: 'not_retryable' | 'attempts_exhausted' | 'budget_exhausted' };

export interface RetryInput {
  status: number;
  /** Raw Retry-After header value, if any. */
  retryAfter?: string;
  /** Attempts made so far (1 after the first call). */
  attempt: number;
  maxAttempts: number;
  /** Milliseconds left in the execution budget. */
  remainingMs: number;
  /** Time kept back after the wait for the retried call itself. */
  reserveMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  now?: number;
  random?: () => number;
}

export function isRetryableStatus(status: number): boolean {
  return status === NETWORK_FAILURE_STATUS || status === 408 || status === 429 || status >= 500;
}

export function decideHttpRetry(input: RetryInput): RetryDecision {
  if (!isRetryableStatus(input.status)) return { retry: false, reason: 'not_retryable' };
  if (input.attempt >= input.maxAttempts) return { retry: false, reason: 'attempts_exhausted' };
  const fromHeader = parseRetryAfter(input.retryAfter, input.now ?? Date.now());
  const delayMs = fromHeader ?? backoffDelayMs(input.attempt, { baseMs: input.baseDelayMs, maxMs: input.maxDelayMs, random: input.random });
  if (delayMs + input.reserveMs > input.remainingMs) return { retry: false, reason: 'budget_exhausted' };
  return { retry: true, delayMs };
}

/** Header lookup that ignores case: UrlFetchApp keeps the server's spelling. */
export function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = headers[key];
    if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
    return value === undefined || value === null ? undefined : String(value);
  }
  return undefined;
}
