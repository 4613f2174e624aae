import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  QUOTA_RETRY_DELAYS_MS,
  QuotaGuard,
  UsageCounter,
  WorkspaceQuotaError,
  isQuotaError,
  mergeDailyUsage,
  quotaDay,
} from '../../apps-script/quota';
import { createExecutionClock } from '../../apps-script/runtime/clock';

function simulatedClock(budgetMs = 300_000) {
  const slept: number[] = [];
  const clock = createExecutionClock(budgetMs, { now: () => 0, sleep: (ms) => void slept.push(ms) });
  return { clock, slept };
}

/** A Workspace call that fails with `error` for its first `failures` calls. */
function flaky<T>(failures: number, error: Error, value: T) {
  let calls = 0;
  return {
    fn: () => {
      calls++;
      if (calls <= failures) throw error;
      return value;
    },
    calls: () => calls,
  };
}

describe('quota error detection', () => {
  it.each([
    'Service invoked too many times for one day: urlfetch.',
    'Service invoked too many times in a short time: forms. Try Utilities.sleep(1000) between calls.',
    'Exception: Service invoked too many times for one day: driveapp.',
    'User rate limit exceeded.',
  ])('recognises %j', (message) => {
    expect(isQuotaError(new Error(message))).toBe(true);
  });

  it.each(['No item with the given ID could be found.', 'Invalid argument: id', 'Access denied: DriveApp.'])(
    'does not treat %j as quota',
    (message) => {
      expect(isQuotaError(new Error(message))).toBe(false);
    },
  );
});

describe('QuotaGuard', () => {
  // Retries are logged as warnings; keep the test output clean.
  beforeEach(() => void vi.spyOn(console, 'warn').mockImplementation(() => {}));

  it('retries a quota error on the schedule and returns the value', () => {
    const { clock, slept } = simulatedClock();
    const guard = new QuotaGuard(clock, new UsageCounter());
    const call = flaky(2, new Error('Service invoked too many times in a short time: forms.'), 'form-1');
    expect(guard.call('FormApp.create', call.fn)).toBe('form-1');
    expect(call.calls()).toBe(3);
    expect(slept).toEqual(QUOTA_RETRY_DELAYS_MS.slice(0, 2));
    // Every attempt hits Google's quota, so every attempt is counted.
    expect(guard.usage.snapshot()).toEqual({ 'FormApp.create': 3 });
  });

  it('gives up after the schedule with a retryable WorkspaceQuotaError', () => {
    const { clock, slept } = simulatedClock();
    const guard = new QuotaGuard(clock, new UsageCounter());
    const call = flaky(99, new Error('Service invoked too many times for one day: driveapp.'), 'x');
    expect(() => guard.call('DriveApp.createFolder', call.fn)).toThrow(WorkspaceQuotaError);
    expect(call.calls()).toBe(QUOTA_RETRY_DELAYS_MS.length + 1);
    expect(slept).toEqual([...QUOTA_RETRY_DELAYS_MS]);
    try {
      guard.call('DriveApp.createFolder', flaky(99, new Error('Service invoked too many times for one day: driveapp.'), 'x').fn);
    } catch (err) {
      expect((err as WorkspaceQuotaError).retryable).toBe(true);
      expect((err as Error).message).toContain('DriveApp.createFolder');
    }
  });

  it('does not retry other errors', () => {
    const { clock, slept } = simulatedClock();
    const guard = new QuotaGuard(clock, new UsageCounter());
    const call = flaky(1, new Error('Invalid argument: title'), 'x');
    expect(() => guard.call('FormApp.create', call.fn)).toThrow('Invalid argument');
    expect(call.calls()).toBe(1);
    expect(slept).toEqual([]);
  });

  it('stops retrying when the sleep would not fit in the execution budget', () => {
    const { clock, slept } = simulatedClock(7_000);
    const guard = new QuotaGuard(clock, new UsageCounter());
    const call = flaky(99, new Error('Service invoked too many times in a short time: sheets.'), 'x');
    expect(() => guard.call('SpreadsheetApp.create', call.fn)).toThrow(WorkspaceQuotaError);
    // 1 s fits (1 s + 5 s reserve < 7 s); 4 s no longer does.
    expect(slept).toEqual([1_000]);
    expect(call.calls()).toBe(2);
  });
});

describe('daily usage', () => {
  it('adds an execution to the same day and restarts on a new day', () => {
    const day1 = mergeDailyUsage(undefined, '2026-03-01', { 'UrlFetchApp.fetch': 3 });
    const same = mergeDailyUsage(day1, '2026-03-01', { 'UrlFetchApp.fetch': 2, 'FormApp.create': 1 });
    expect(same).toEqual({ day: '2026-03-01', usage: { 'UrlFetchApp.fetch': 5, 'FormApp.create': 1 } });
    expect(mergeDailyUsage(same, '2026-03-02', { 'FormApp.create': 1 })).toEqual({ day: '2026-03-02', usage: { 'FormApp.create': 1 } });
  });

  it('drain returns the counts once', () => {
    const usage = new UsageCounter();
    usage.increment('Range.setValues');
    usage.increment('Range.setValues');
    expect(usage.drain()).toEqual({ 'Range.setValues': 2 });
    expect(usage.drain()).toEqual({});
  });

  it('uses the UTC day as key', () => {
    expect(quotaDay(new Date('2026-03-01T23:30:00-05:00'))).toBe('2026-03-02');
  });
});
