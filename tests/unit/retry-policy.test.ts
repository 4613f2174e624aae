import { describe, expect, it } from 'vitest';
import { classifyError, parseRetryAfter, PermanentError, TransientError } from '../../backend/errors';
import { backoffDelayMs } from '../../shared/backoff';
import { z } from 'zod';

describe('retry policy', () => {
  it('grows exponentially within [ceiling/2, ceiling] and is capped', () => {
    const opts = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelayMs(1, { ...opts, random: () => 0 })).toBe(50);
    expect(backoffDelayMs(1, { ...opts, random: () => 1 })).toBe(100);
    expect(backoffDelayMs(3, { ...opts, random: () => 0 })).toBe(200);
    expect(backoffDelayMs(3, { ...opts, random: () => 1 })).toBe(400);
    expect(backoffDelayMs(10, { ...opts, random: () => 1 })).toBe(1000);
  });

  it('never retries sooner than Retry-After', () => {
    expect(backoffDelayMs(1, { baseMs: 100, maxMs: 1000, retryAfterMs: 5000, random: () => 0.5 })).toBe(5000);
  });

  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('classifies errors', () => {
    expect(classifyError(new TransientError('x', { reason: 'http_5xx' })).category).toBe('transient');
    expect(classifyError(new PermanentError('x', { reason: 'http_4xx' })).category).toBe('permanent');
    const zodError = z.object({ a: z.string() }).safeParse({}).error;
    expect(classifyError(zodError).category).toBe('permanent');
    expect(classifyError(new Error('boom')).category).toBe('transient');
  });
});
