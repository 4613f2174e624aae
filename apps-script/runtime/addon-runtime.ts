import { BackendClient, urlFetchTransport } from '../backend-client';
import type { CommandContext } from '../commands/context';
import { NO_LEASE } from '../commands/lease';
import { QuotaGuard, UsageCounter, mergeDailyUsage, quotaDay, type DailyUsage } from '../quota';
import { readSettings, type AddonSettings } from '../settings';
import { CommandLedger, type Exclusive } from '../storage/command-ledger';
import { FormRegistry } from '../storage/form-registry';
import { JsonStore } from '../storage/json-store';
import { GoogleDriveClient } from '../workspace/drive-client';
import { GoogleFormsClient } from '../workspace/forms-client';
import { GoogleSheetsClient } from '../workspace/sheets-client';
import { createExecutionClock, type ExecutionClock } from './clock';
import { identityTokenOrThrow } from './consent';
import { errorMessage, log } from './log';

/**
 * Everything one execution needs, wired once per entry point call. Apps Script starts every
 * execution with a fresh global scope, so nothing here outlives the call except what is written
 * to PropertiesService.
 *
 * Stores are the USER properties: they follow the instructor into every context the add-on runs
 * in (sidebar, the form-submit trigger, the hourly trigger that has no active document), and unlike
 * script properties they are not shared with every other user of the add-on.
 */
export interface AddonRuntime {
  settings: AddonSettings;
  clock: ExecutionClock;
  usage: UsageCounter;
  client: BackendClient;
  ctx: CommandContext;
  store: JsonStore;
}

const DAILY_USAGE_KEY = 'quota:daily';
const LAST_REPORT_KEY = 'quota:last-report-at';

export function createAddonRuntime(kind: 'sidebar' | 'trigger'): AddonRuntime {
  const settings = readSettings(PropertiesService.getScriptProperties().getProperties());
  const budgetMs = kind === 'sidebar' ? settings.PRESGEN_SIDEBAR_BUDGET_MS : settings.PRESGEN_EXECUTION_BUDGET_MS;
  const clock = createExecutionClock(budgetMs, { now: () => Date.now(), sleep: (ms) => Utilities.sleep(ms) });
  const usage = new UsageCounter();
  const quota = new QuotaGuard(clock, usage);
  const store = new JsonStore(PropertiesService.getUserProperties());

  let idToken: string | undefined;
  const client = new BackendClient({
    baseUrl: __BACKEND_URL__,
    transport: urlFetchTransport,
    // One token per execution: it lives an hour, an execution at most six minutes.
    getIdToken: () => (idToken ??= identityTokenOrThrow()),
    clock,
    onRequest: () => usage.increment('UrlFetchApp.fetch'),
  });

  const ctx: CommandContext = {
    forms: new GoogleFormsClient(quota),
    sheets: new GoogleSheetsClient(quota),
    drive: new GoogleDriveClient(quota),
    ledger: new CommandLedger(store, undefined, undefined, userLocked),
    registry: new FormRegistry(store),
    clock,
    lease: NO_LEASE,
  };
  return { settings, clock, usage, client, ctx, store };
}

/** How long a ledger update waits for another execution of this user's to leave its critical section. */
const USER_LOCK_WAIT_MS = 10_000;

export class UserLockBusyError extends Error {
  readonly retryable = true;
  constructor() {
    super('another PresGen-Assess execution of this user held the lock for too long');
    this.name = 'UserLockBusyError';
  }
}

/**
 * The user lock around short read-check-write sequences in user properties that executions of the
 * same user (sidebar, triggers) may run at the same time. Held only for those few calls.
 */
const userLocked: Exclusive = (fn) => {
  const lock = LockService.getUserLock();
  if (!lock.tryLock(USER_LOCK_WAIT_MS)) throw new UserLockBusyError();
  try {
    return fn();
  } finally {
    lock.releaseLock();
  }
};

/**
 * Add this execution's Workspace calls to today's totals (user properties) and report the totals
 * to the backend at most every PRESGEN_QUOTA_REPORT_MS: a report after every 5-second sidebar
 * pump would itself spend the UrlFetch quota it reports on. Never throws.
 */
export function flushQuotaUsage(runtime: AddonRuntime): void {
  const delta = runtime.usage.drain();
  if (Object.keys(delta).length === 0) return;
  try {
    const merged = mergeDailyUsage(runtime.store.get<DailyUsage>(DAILY_USAGE_KEY), quotaDay(new Date()), delta);
    runtime.store.set(DAILY_USAGE_KEY, merged);
    const now = Date.now();
    const lastReportAt = runtime.store.get<number>(LAST_REPORT_KEY) ?? 0;
    if (now - lastReportAt < runtime.settings.PRESGEN_QUOTA_REPORT_MS && now >= lastReportAt) return;
    runtime.store.set(LAST_REPORT_KEY, now);
    runtime.client.reportQuota(merged);
  } catch (err) {
    log.warn('quota_report_failed', { message: errorMessage(err) });
  }
}
