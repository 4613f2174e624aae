import { describe, expect, it } from 'vitest';
import { decideHttpRetry, headerValue, isRetryableStatus } from '../../apps-script/http/retry-policy';

const base = {
  attempt: 1,
  maxAttempts: 5,
  remainingMs: 300_000,
  reserveMs: 5_000,
  baseDelayMs: 1_000,
  maxDelayMs: 16_000,
  random: () => 0.5,
};

describe('backend retry policy', () => {
  it('retries 5xx, 429, 408 and network failures only', () => {
    for (const status of [0, 408, 429, 500, 502, 503, 504]) expect(isRetryableStatus(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 422]) expect(isRetryableStatus(status)).toBe(false);
    expect(decideHttpRetry({ ...base, status: 400 })).toEqual({ retry: false, reason: 'not_retryable' });
  });

  it('honours Retry-After in seconds', () => {
    expect(decideHttpRetry({ ...base, status: 503, retryAfter: '7' })).toEqual({ retry: true, delayMs: 7_000 });
    expect(decideHttpRetry({ ...base, status: 429, retryAfter: '0' })).toEqual({ retry: true, delayMs: 0 });
  });

  it('honours Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    const decision = decideHttpRetry({ ...base, status: 503, retryAfter: 'Sun, 01 Mar 2026 10:00:12 GMT', now });
    expect(decision).toEqual({ retry: true, delayMs: 12_000 });
  });

  it('backs off exponentially with jitter, capped, without Retry-After', () => {
    const delays = [1, 2, 3, 4, 5, 6].map(
      (attempt) => (decideHttpRetry({ ...base, status: 503, attempt, maxAttempts: 10 }) as { delayMs: number }).delayMs,
    );
    // equal jitter with random 0.5: 3/4 of min(max, base * 2^(n-1))
    expect(delays).toEqual([750, 1_500, 3_000, 6_000, 12_000, 12_000]);
    const low = decideHttpRetry({ ...base, status: 503, random: () => 0 }) as { delayMs: number };
    const high = decideHttpRetry({ ...base, status: 503, random: () => 0.999 }) as { delayMs: number };
    expect(low.delayMs).toBe(500);
    expect(high.delayMs).toBeLessThanOrEqual(1_000);
  });

  it('stops after maxAttempts', () => {
    expect(decideHttpRetry({ ...base, status: 503, attempt: 5 })).toEqual({ retry: false, reason: 'attempts_exhausted' });
  });

  it('gives up when the wait (plus the retried call) does not fit in the budget', () => {
    expect(decideHttpRetry({ ...base, status: 503, retryAfter: '120', remainingMs: 60_000 })).toEqual({
      retry: false,
      reason: 'budget_exhausted',
    });
    expect(decideHttpRetry({ ...base, status: 503, retryAfter: '50', remainingMs: 60_000 })).toEqual({ retry: true, delayMs: 50_000 });
  });

  it('ignores an unparseable Retry-After and falls back to backoff', () => {
    expect(decideHttpRetry({ ...base, status: 503, retryAfter: 'soon' })).toEqual({ retry: true, delayMs: 750 });
  });

  it('reads headers whatever their case', () => {
    expect(headerValue({ 'retry-after': '3' }, 'Retry-After')).toBe('3');
    expect(headerValue({ 'Retry-After': ['4', '5'] }, 'retry-after')).toBe('4');
    expect(headerValue({}, 'Retry-After')).toBeUndefined();
    expect(headerValue(undefined, 'Retry-After')).toBeUndefined();
  });
});
