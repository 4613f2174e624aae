/**
 * The one backoff function of the project (backend steps, fan-out jobs, the notification outbox,
 * workspace commands, and the add-on's own HTTP retries): exponential with "equal jitter" (half
 * the delay fixed, half random, so retries spread out but never come immediately), capped at
 * `maxMs`, and never sooner than a server's Retry-After. Plain TypeScript: Apps Script imports it.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** A server's Retry-After, in ms: the delay is never shorter. */
  retryAfterMs?: number;
  /** Random source in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

/** Delay before retry number `attempt` (1 = the first retry, after the first failure). */
export function backoffDelayMs(attempt: number, opts: BackoffOptions): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  const random = opts.random ?? Math.random;
  return Math.round(Math.max(ceiling / 2 + (ceiling / 2) * random(), opts.retryAfterMs ?? 0));
}

/** A Retry-After header (delta seconds or an HTTP date) in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  if (Number.isFinite(at)) return Math.max(0, at - now);
  return undefined;
}
