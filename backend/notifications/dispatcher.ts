import type { Database } from '../db/client';
import { log, withLogContext } from '../observability/logger';
import { notificationBacklog, notificationsSent } from '../observability/metrics';
import { classifyError } from '../errors';
import { backoffDelayMs } from '../../shared/backoff';
import { WorkerLoop } from '../leased-work/worker-loop';
import type { NotificationChannel } from './channel';
import {
  claimDueNotifications,
  countUndelivered,
  markNotificationFailed,
  markNotificationSent,
  msUntilNextDue,
  scheduleNotificationRetry,
  type OutboxRow,
} from './outbox-store';
import { describeError } from './redact';

/**
 * Drains the notification outbox: claims due rows with a lease, sends each through its channel,
 * and records the outcome under the same lease. Any number of replicas may run one.
 *
 * Delivery guarantee — exactly once in the normal case, at least once across a crash:
 *  - a row is claimed by one dispatcher at a time (FOR UPDATE SKIP LOCKED + lease), so two live
 *    dispatchers never send the same row;
 *  - the outcome is written only by the lease holder;
 *  - a dispatcher that dies mid-batch leaves its rows `sending`; once the lease expires another
 *    dispatcher claims and sends them, so nothing is lost;
 *  - the window: if the process dies AFTER the SMTP server (or Slack) accepted a message and
 *    BEFORE `sent` is committed, the row is sent again after the lease expires. No protocol
 *    closes that window (SMTP and Slack webhooks have no idempotency keys); emails carry a
 *    Message-ID derived from the row id so mail clients can fold the duplicate.
 *  - the lease must outlive one send: channel timeouts (10 s HTTP, 3 × 10 s SMTP phases) stay
 *    well under the default 60 s lease, so a slow but live sender is not overtaken.
 *
 * Metric `presgen_notifications_total{channel,outcome}` counts delivery attempts: `sent`,
 * `failed` (every failed attempt, retried or not), and `given_up` once a row ends `failed`.
 */

export interface NotificationDispatcherOptions {
  database: Database;
  channels: NotificationChannel[];
  workerId: string;
  /** Wake-up channel `enqueue` notifies. */
  wakeChannel: string;
  /** Lease on a claimed row; default 60 s. */
  leaseMs?: number;
  /** Attempts per row before it is `failed`; default 8. */
  maxAttempts?: number;
  /** Backoff between attempts (exponential, jittered, Retry-After as a floor); default 5 s .. 15 min. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Rows claimed (and sent concurrently) per round; default 20. */
  batchSize?: number;
  /** Longest idle sleep when nothing is due and no wake-up arrives; default 5 s. */
  idleWaitMs?: number;
}

export interface DispatchRound {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

export class NotificationDispatcher {
  private readonly loop: WorkerLoop;
  private readonly byName: Map<string, NotificationChannel>;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly batchSize: number;
  private readonly idleWaitMs: number;
  private readonly secrets: string[];

  constructor(private readonly opts: NotificationDispatcherOptions) {
    this.byName = new Map(opts.channels.map((c) => [c.name, c]));
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.maxAttempts = opts.maxAttempts ?? 8;
    this.retryBaseMs = opts.retryBaseMs ?? 5_000;
    this.retryMaxMs = opts.retryMaxMs ?? 15 * 60_000;
    this.batchSize = opts.batchSize ?? 20;
    this.idleWaitMs = opts.idleWaitMs ?? 5_000;
    this.secrets = opts.channels.flatMap((c) => c.secrets);
    this.loop = new WorkerLoop({
      name: 'notification dispatcher',
      round: () => this.dispatchRound(),
      idleMaxMs: this.idleWaitMs,
      errorBackoffMs: 1_000,
      listen: { database: opts.database, channel: opts.wakeChannel },
      describeError: (err) => describeError(err, this.secrets),
    });
  }

  /** Channels this dispatcher can send on; it claims rows of these only. */
  channelNames(): string[] {
    return [...this.byName.keys()];
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  /** Finishes the round in progress (sends are not abandoned mid-way), then returns. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Wake the loop now (new rows were queued in this process). */
  notify(): void {
    this.loop.notify();
  }

  /** One claim-send-record round. The loop calls it; tests call it directly for determinism. */
  async dispatchOnce(): Promise<DispatchRound> {
    const db = this.opts.database.db;
    const claimed = await claimDueNotifications(db, {
      channels: this.channelNames(),
      workerId: this.opts.workerId,
      leaseMs: this.leaseMs,
      max: this.batchSize,
    });
    const round: DispatchRound = { claimed: claimed.length, sent: 0, retried: 0, failed: 0 };
    const outcomes = await Promise.allSettled(
      claimed.map((row) => withLogContext({ workflow_id: row.workflowId ?? undefined }, () => this.deliver(row))),
    );
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') {
        if (outcome.value) round[outcome.value] += 1;
      } else {
        // Most likely the database failed while recording; the row's lease expires and it is retried.
        log().error({ err: describeError(outcome.reason, this.secrets) }, 'could not record a notification outcome');
      }
    }
    await this.refreshBacklog();
    return round;
  }

  async refreshBacklog(): Promise<void> {
    notificationBacklog.set(await countUndelivered(this.opts.database.db));
  }

  /** The loop's round: dispatch, then the next due time when nothing was claimed. */
  private async dispatchRound(): Promise<number | null> {
    const round = await this.dispatchOnce();
    if (round.claimed > 0) return 0;
    return msUntilNextDue(this.opts.database.db, this.channelNames());
  }

  private async deliver(row: OutboxRow): Promise<'sent' | 'retried' | 'failed' | undefined> {
    const channel = this.byName.get(row.channel);
    if (!channel) return undefined; // not claimable: claims are filtered by channel
    const db = this.opts.database.db;
    const fields = { channel: row.channel, kind: row.kind, attempt: row.attempts };
    try {
      await channel.send({
        id: row.id,
        kind: row.kind,
        recipients: row.recipient.split(',').filter(Boolean),
        subject: row.subject,
        text: row.body,
      });
    } catch (err) {
      const error = classifyError(err);
      const message = describeError(error, this.secrets);
      notificationsSent.inc({ channel: row.channel, outcome: 'failed' });
      if (error.category === 'permanent' || row.attempts >= this.maxAttempts) {
        await markNotificationFailed(db, row.id, this.opts.workerId, message);
        notificationsSent.inc({ channel: row.channel, outcome: 'given_up' });
        log().error(
          { ...fields, category: error.category, reason: error.reason, err: message },
          'notification delivery failed permanently',
        );
        return 'failed';
      }
      const delayMs = backoffDelayMs(row.attempts, { baseMs: this.retryBaseMs, maxMs: this.retryMaxMs, retryAfterMs: error.retryAfterMs });
      await scheduleNotificationRetry(db, row.id, this.opts.workerId, delayMs, message);
      log().warn({ ...fields, reason: error.reason, delay_ms: delayMs, err: message }, 'notification delivery failed; will retry');
      return 'retried';
    }
    notificationsSent.inc({ channel: row.channel, outcome: 'sent' });
    const recorded = await markNotificationSent(db, row.id, this.opts.workerId);
    if (!recorded) {
      // Our lease expired mid-send and another dispatcher owns the row now: it may send again.
      log().warn(fields, 'notification sent but its lease was lost; a duplicate is possible');
    } else {
      log().info(fields, 'notification sent');
    }
    return 'sent';
  }
}
