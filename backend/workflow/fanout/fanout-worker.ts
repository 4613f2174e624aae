import type { JobClient } from '../../integration/job-client';
export type { JobClient } from '../../integration/job-client';
import type { StepStatus } from '../../../shared/workflow-status';
import type { Database } from '../../db/client';
import { log, withLogContext } from '../../observability/logger';
import { classifyError } from '../../errors';
import { RATE_LIMIT_WAIT } from '../../integration/rate-limiter';
import { stepRetries } from '../../observability/metrics';
import { backoffDelayMs } from '../../../shared/backoff';
import { WAKE_CHANNEL } from '../../leased-work/wake-channel';
import { WorkerLoop } from '../../leased-work/worker-loop';
import {
  claimPollableItems,
  claimSubmittableItems,
  finishItem,
  markSubmitted,
  fanoutWaits,
  renewFanoutLeases,
  reschedule,
  type FanoutItemRow,
  type FanoutService,
} from './fanout-store';
import { errorText } from '../../observability/error-text';
import { withSpan } from '../../observability/tracing';
import { fanoutSpanOptions } from '../../observability/workflow-spans';

/**
 * Runs the per-course PresGen jobs of steps 9 and 10 for every workflow: submits pending items
 * under the global cap, polls active ones, finishes them, creates a deck's video as soon as the
 * deck is ready (so videos do not wait for the slowest deck) and wakes the workflow when its
 * step has nothing left to wait for. Any replica can pick up any item; leases fence them.
 */

/** What a fan-out item carries: the PresGen request, and for a deck the video to make of it. */
export interface FanoutItemInput {
  request: Record<string, unknown>;
  video?: { step: StepStatus; title: string; script: string[]; metadata?: Record<string, unknown> };
}

export interface FanoutWorkerOptions {
  database: Database;
  workerId: string;
  clients: Record<FanoutService, JobClient>;
  caps: Record<FanoutService, number>;
  leaseMs: number;
  pollMs: number;
  jobTimeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Most items this process works on at once (HTTP calls in flight). */
  maxInFlight?: number;
}

export class FanoutWorker {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly loop: WorkerLoop;

  constructor(private readonly opts: FanoutWorkerOptions) {
    this.loop = new WorkerLoop({
      name: 'fan-out worker',
      round: () => this.claimRound(),
      // At most a second: a slot freed by another replica is not announced here.
      idleMaxMs: 1000,
      errorBackoffMs: 500,
      listen: { database: opts.database, channel: WAKE_CHANNEL.fanout },
      heartbeat: {
        everyMs: Math.max(50, Math.floor(opts.leaseMs / 3)),
        renew: () => renewFanoutLeases(opts.database.db, opts.workerId, [...this.inFlight.keys()], opts.leaseMs),
      },
    });
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop(() => Promise.allSettled(this.inFlight.values()));
  }

  notify(): void {
    this.loop.notify();
  }

  /** Submits what the caps allow and polls what is due; returns when more is due. */
  private async claimRound(): Promise<number | null> {
    const maxInFlight = this.opts.maxInFlight ?? 64;
    const waits = await fanoutWaits(this.opts.database.db);
    let claimed = 0;
    if (waits.submitMs !== null && waits.submitMs <= 0) {
      for (const service of Object.keys(this.opts.clients) as FanoutService[]) {
        if (this.inFlight.size >= maxInFlight) break;
        const items = await claimSubmittableItems(
          this.opts.database.db,
          service,
          this.opts.caps[service],
          this.opts.workerId,
          this.opts.leaseMs,
        );
        for (const item of items) this.track(item, 'submit', () => this.submit(item));
        claimed += items.length;
      }
    }
    const room = maxInFlight - this.inFlight.size;
    if (waits.pollMs !== null && waits.pollMs <= 0 && room > 0) {
      const polls = await claimPollableItems(this.opts.database.db, this.opts.workerId, room, this.opts.leaseMs);
      // An item whose lease ran out while this process still works on it (a long synchronous
      // PresGen call on a starved event loop) is re-leased, not started a second time.
      for (const item of polls) if (!this.inFlight.has(item.id)) this.track(item, 'poll', () => this.poll(item));
      claimed += polls.length;
    }
    if (claimed > 0) return 0;
    // Nothing claimable now: sleep until the next due time, a wake-up (new items, a freed slot).
    const future = [waits.submitMs, waits.pollMs].filter((w): w is number => w !== null && w > 0);
    return future.length > 0 ? Math.max(1, Math.min(...future)) : null;
  }

  private track(item: FanoutItemRow, operation: 'submit' | 'poll', work: () => Promise<void>): void {
    const traced = () => withSpan(`fanout ${item.service} ${operation}`, fanoutSpanOptions(item), work);
    const task = withLogContext({ workflow_id: item.workflowId, step: item.step, attempt: item.attempt }, traced)
      .catch((err) => log().error({ err: errorText(err), item: item.id }, 'fan-out item handling failed'))
      .finally(() => {
        this.inFlight.delete(item.id);
        this.loop.notify();
      });
    this.inFlight.set(item.id, task);
  }

  private client(item: FanoutItemRow): JobClient {
    return this.opts.clients[item.service as FanoutService];
  }

  private async submit(item: FanoutItemRow): Promise<void> {
    const input = item.input as FanoutItemInput;
    let accepted: { jobId: string; status: string };
    try {
      accepted = await this.client(item).submit(input.request as never, item.idempotencyKey);
    } catch (err) {
      return this.handleFailure(item, err, 'submit');
    }
    if (['succeeded', 'failed', 'cancelled'].includes(accepted.status)) {
      // Already finished (the synchronous PresGen APIs, or a job found again under its key): take
      // its outcome now, still under this lease, instead of recording the job and claiming it
      // again for a first poll. A crash before the finish resubmits under the same key.
      return this.poll({ ...item, externalJobId: accepted.jobId, submittedAt: item.submittedAt ?? new Date() });
    }
    await markSubmitted(this.opts.database.db, item, this.opts.workerId, accepted.jobId, new Date(Date.now() + this.opts.pollMs));
  }

  private async poll(item: FanoutItemRow): Promise<void> {
    const db = this.opts.database.db;
    if (!item.externalJobId) return this.submit(item); // taken over before its submit was recorded
    let status: Awaited<ReturnType<JobClient['pollStatus']>>;
    try {
      status = await this.client(item).pollStatus(item.externalJobId);
    } catch (err) {
      return this.handleFailure(item, err, 'poll');
    }
    if (status.status === 'succeeded') {
      const result = status.result as { url: string };
      const input = item.input as FanoutItemInput;
      const followUp = input.video
        ? {
            step: input.video.step,
            service: 'presgen_avatar' as const,
            input: {
              request: {
                title: input.video.title,
                presentationUrl: result.url,
                script: input.video.script,
                metadata: input.video.metadata,
              },
            } satisfies FanoutItemInput,
          }
        : undefined;
      const finished = await finishItem(db, item, this.opts.workerId, { status: 'succeeded', result: status.result }, followUp);
      if (finished.finished) log().info({ service: item.service, course: item.itemIndex }, 'fan-out job succeeded');
      return;
    }
    if (status.status === 'failed' || status.status === 'cancelled') {
      const retryable = status.status === 'cancelled' || status.error?.retryable === true;
      const message = `${item.service} job ${status.status}: ${status.error?.code ?? 'no error code'}`;
      if (retryable && item.attempt < this.opts.maxAttempts) {
        return this.resubmitLater(item, message);
      }
      return this.fail(item, message, retryable);
    }
    const stuck = item.submittedAt && Date.now() - item.submittedAt.getTime() > this.opts.jobTimeoutMs;
    if (stuck) {
      log().warn({ service: item.service, course: item.itemIndex }, 'fan-out job stuck; cancelling and resubmitting');
      await this.client(item)
        .cancel(item.externalJobId)
        .catch(() => undefined);
      if (item.attempt < this.opts.maxAttempts) return this.resubmitLater(item, 'job timed out');
      return this.fail(item, `${item.service} job timed out ${item.attempt} times`, true);
    }
    await reschedule(db, item, this.opts.workerId, new Date(Date.now() + this.opts.pollMs));
  }

  /** Back to pending (frees its concurrency slot); the same idempotency key is used again. */
  private async resubmitLater(item: FanoutItemRow, reason: string): Promise<void> {
    const delay = backoffDelayMs(item.attempt, { baseMs: this.opts.retryBaseMs, maxMs: this.opts.retryMaxMs });
    await reschedule(this.opts.database.db, item, this.opts.workerId, new Date(Date.now() + delay), {
      status: 'pending',
      externalJobId: null,
      submittedAt: null,
      lastError: reason,
    });
  }

  /**
   * The item is given up. `budgetSpent` means transient failures used up the retry budget (the
   * workflow goes to NEEDS_ATTENTION for an operator); otherwise PresGen refused it for good.
   */
  private async fail(item: FanoutItemRow, message: string, budgetSpent = false): Promise<void> {
    log().warn({ service: item.service, course: item.itemIndex, error: message, budgetSpent }, 'fan-out job given up');
    await finishItem(this.opts.database.db, item, this.opts.workerId, {
      status: 'failed',
      error: message,
      result: { failure: budgetSpent ? 'retry_budget_spent' : 'permanent' },
    });
  }

  private async handleFailure(item: FanoutItemRow, err: unknown, operation: 'submit' | 'poll'): Promise<void> {
    const error = classifyError(err);
    if (error.category === 'permanent') return this.fail(item, `${operation}: ${error.message}`);
    // An open circuit is the breaker protecting PresGen, not this item failing: wait for the
    // half-open probe without spending the item's attempt budget, so an outage only delays work.
    // The same holds for waiting on our own rate limit (no token yet).
    const breakerWait = error.reason === 'circuit_open' || error.reason === RATE_LIMIT_WAIT;
    if (!breakerWait && item.attempt >= this.opts.maxAttempts && operation === 'submit') {
      return this.fail(item, `${operation}: retry budget spent: ${error.message}`, true);
    }
    const delay = breakerWait
      ? Math.max(error.retryAfterMs ?? 0, this.opts.retryBaseMs)
      : backoffDelayMs(item.attempt, { baseMs: this.opts.retryBaseMs, maxMs: this.opts.retryMaxMs, retryAfterMs: error.retryAfterMs });
    stepRetries.inc({ step: item.step, reason: error.reason });
    log().info(
      { service: item.service, operation, reason: error.reason, delayMs: delay },
      'fan-out call failed transiently; retrying later',
    );
    const at = new Date(Date.now() + delay);
    const attempt = breakerWait && operation === 'submit' ? { attempt: Math.max(0, item.attempt - 1) } : {};
    // A failed submit gives its slot back; a failed poll keeps the job and polls again later.
    await reschedule(
      this.opts.database.db,
      item,
      this.opts.workerId,
      at,
      operation === 'submit' ? { status: 'pending', lastError: error.message, ...attempt } : { lastError: error.message },
    );
  }
}
