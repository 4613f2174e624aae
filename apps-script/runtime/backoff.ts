/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries from
 * several executions spread out but never retry immediately.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Random source in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

/** Delay before retry number `attempt` (1 = first retry). */
export function backoffDelayMs(attempt: number, opts: BackoffOptions): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  const random = opts.random ?? Math.random;
  return Math.round(exp / 2 + (exp / 2) * random());
}
