/**
 * Exponential backoff with full jitter, never sooner than a server's Retry-After.
 * attempt is 1-based: the delay before attempt+1.
 */
export function retryDelayMs(
  attempt: number,
  opts: { baseMs: number; maxMs: number; retryAfterMs?: number; random?: () => number },
): number {
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half jitter: spreads a thundering herd while keeping a floor that grows.
  const backoff = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.max(backoff, opts.retryAfterMs ?? 0));
}
