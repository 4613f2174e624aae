import type { ExecutionClock } from './runtime/clock';
import { errorMessage, log } from './runtime/log';

/**
 * Workspace quotas. Google throws plain Errors whose text is the only signal ("Service invoked too
 * many times for one day: …", "… too many times in a short time …"); those calls are retried a few
 * times with growing sleeps. Every service call is also counted per day, and the totals are
 * reported to the backend at the end of each pump so operators see how close an instructor is to a
 * daily limit.
 */

const QUOTA_MESSAGE = /service invoked too many times|too many times in a short time|rate limit exceeded|quota exceeded/i;

export function isQuotaError(err: unknown): boolean {
  return QUOTA_MESSAGE.test(errorMessage(err));
}

const DAILY_QUOTA = /service invoked too many times for one day:\s*([a-z]+)/i;

/** What each daily limit Google names covers, in an instructor's words (consumer-account figures). */
const DAILY_LIMITS: Record<string, string> = {
  properties: "the add-on's saved state (Properties: 50,000 reads and writes a day)",
  urlfetch: 'calls from the add-on to PresGen-Assess (UrlFetch: 20,000 a day)',
  forms: 'new Google Forms (250 a day)',
  spreadsheets: 'new spreadsheets (250 a day)',
  driveapp: 'Google Drive operations',
};

/**
 * A plain-words notice when a call failed because a DAILY Google quota is used up (retrying today
 * cannot help), else undefined. Shown in the sidebar instead of Google's terse text.
 */
export function dailyQuotaNotice(err: unknown): string | undefined {
  const match = DAILY_QUOTA.exec(errorMessage(err));
  if (!match) return undefined;
  const what = DAILY_LIMITS[match[1].toLowerCase()] ?? `the Google service "${match[1]}"`;
  return (
    `Google's daily limit for ${what} is used up for your account. Nothing was lost: PresGen-Assess picks up ` +
    'where it stopped once Google resets the limit (24 hours after the first use of the day). Please try again then.'
  );
}

/** Sleeps before retry 1, 2, 3 of a call that hit a quota error. */
export const QUOTA_RETRY_DELAYS_MS: readonly number[] = [1_000, 4_000, 10_000];

/** The thrown error once retries are spent: transient, the backend re-offers the command later. */
export class WorkspaceQuotaError extends Error {
  readonly retryable = true;
  constructor(service: string, cause: unknown) {
    super(`Google Workspace quota reached for ${service}; will retry later (${errorMessage(cause)})`);
    this.name = 'WorkspaceQuotaError';
  }
}

/** Calls per service in this execution. */
export class UsageCounter {
  private readonly counts: Record<string, number> = {};
  increment(service: string, by = 1): void {
    this.counts[service] = (this.counts[service] ?? 0) + by;
  }
  snapshot(): Record<string, number> {
    return { ...this.counts };
  }
  /** The counts so far, and start again from zero (so a flush is never counted twice). */
  drain(): Record<string, number> {
    const out = this.snapshot();
    for (const key of Object.keys(this.counts)) delete this.counts[key];
    return out;
  }
}

export class QuotaGuard {
  constructor(
    private readonly clock: ExecutionClock,
    readonly usage: UsageCounter,
    private readonly delaysMs: readonly number[] = QUOTA_RETRY_DELAYS_MS,
  ) {}

  /** Run one Workspace call, counting it and retrying quota errors while the budget allows. */
  call<T>(service: string, fn: () => T): T {
    for (let retry = 0; ; retry++) {
      this.usage.increment(service);
      try {
        return fn();
      } catch (err) {
        if (!isQuotaError(err)) throw err;
        const delay = this.delaysMs[retry];
        // Keep a few seconds after the sleep for the call itself.
        if (delay === undefined || delay + 5_000 > this.clock.remainingMs()) throw new WorkspaceQuotaError(service, err);
        log.warn('workspace_quota_retry', { service, retry: retry + 1, delay_ms: delay });
        this.clock.sleep(delay);
      }
    }
  }
}

export interface DailyUsage {
  day: string;
  usage: Record<string, number>;
}

/** Add this execution's counts to the stored day; a new day starts from zero. */
export function mergeDailyUsage(stored: DailyUsage | undefined, day: string, delta: Record<string, number>): DailyUsage {
  const usage: Record<string, number> = stored && stored.day === day ? { ...stored.usage } : {};
  for (const [service, count] of Object.entries(delta)) usage[service] = (usage[service] ?? 0) + count;
  return { day, usage };
}

/** UTC day (yyyy-mm-dd) used as the quota day key. */
export function quotaDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}
