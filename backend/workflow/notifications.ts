import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Config } from '../config';
import type { Database, Executor } from '../db/client';
import type { OutboundHttpClient } from '../integration/http-client';
import { SLACK_RECIPIENT, type ChannelName, type NotificationChannel } from '../notifications/channel';
import { NotificationDispatcher, type NotificationDispatcherOptions } from '../notifications/dispatcher';
import { SmtpEmailChannel } from '../notifications/email-channel';
import { parseNotification } from '../notifications/notification-schema';
import { insertOutboxRows, type OutboxInsert } from '../notifications/outbox-store';
import { SlackWebhookChannel } from '../notifications/slack-channel';
import { renderMessage } from '../notifications/templates';
import { log } from '../observability/logger';
import { notificationsSent } from '../observability/metrics';
import type { WorkflowNotification } from './engine-deps';
import { WAKE_CHANNEL } from '../leased-work/wake-channel';

export { NotificationDispatcher } from '../notifications/dispatcher';
export type { NotificationChannel, ChannelName } from '../notifications/channel';

/**
 * Durable notifications. `enqueue` writes the message into the `notification_outbox` table — one
 * row per channel that fits the audience — and returns; the `NotificationDispatcher` loop sends
 * rows later, with retries. A notification queued inside the caller's transaction exists if and
 * only if that transaction commits, so a state change and its alert are never separated.
 *
 * Audiences: operators get Slack (SLACK_WEBHOOK_URL) and email to OPERATOR_EMAILS; the instructor
 * gets email only (Slack is an operator channel). Dedupe: (`kind:workflowId:key`, channel) is
 * unique, so the same notification queued twice — by a retried step, by two replicas — is sent
 * once per channel. When no configured channel can take a notification it is still recorded,
 * as `skipped` rows, so it is visible rather than silently lost.
 */

export const NOTIFICATION_WAKE_CHANNEL = WAKE_CHANNEL.notifications;

export interface EnqueueResult {
  dedupeKey: string;
  /** Channels that got a new pending row. */
  queued: ChannelName[];
  /** Channels that already had a row for this dedupe key. */
  duplicates: ChannelName[];
  /** Channels recorded as skipped (not configured, or no recipient). */
  skipped: ChannelName[];
}

export interface NotificationServiceOptions {
  database: Database;
  channels: NotificationChannel[];
  operatorEmails: string[];
  workerId: string;
  dispatcher?: Omit<NotificationDispatcherOptions, 'database' | 'channels' | 'workerId' | 'wakeChannel'>;
}

interface PlannedRow {
  channel: ChannelName;
  recipients: string[];
  /** Why it cannot be sent; undefined when it can. */
  skipReason?: string;
}

export class NotificationService {
  readonly dispatcher: NotificationDispatcher;
  private readonly channels: Map<ChannelName, NotificationChannel>;
  private readonly skipLoggedKinds = new Set<string>();

  constructor(private readonly opts: NotificationServiceOptions) {
    this.channels = new Map(opts.channels.map((c) => [c.name, c]));
    this.dispatcher = new NotificationDispatcher({
      ...opts.dispatcher,
      database: opts.database,
      channels: opts.channels,
      workerId: opts.workerId,
      wakeChannel: NOTIFICATION_WAKE_CHANNEL,
    });
  }

  /** For `EngineDeps.notify` / `RuntimeOptions.notify`. */
  readonly notify = async (n: WorkflowNotification): Promise<void> => {
    await this.enqueue(n);
  };

  configuredChannels(): ChannelName[] {
    return [...this.channels.keys()];
  }

  /**
   * Queues a notification. Pass `executor` (a drizzle transaction) to queue it atomically with
   * the caller's own writes. Throws `InvalidNotificationError` (naming the field) on bad input.
   */
  async enqueue(input: WorkflowNotification, executor?: Executor): Promise<EnqueueResult> {
    const values = this.rowsFor(input);
    const dedupeKey = values[0].dedupeKey;
    const db = executor ?? this.opts.database.db;
    const insertedIds = new Set(await insertOutboxRows(db, values));
    const result: EnqueueResult = { dedupeKey, queued: [], duplicates: [], skipped: [] };
    for (const v of values) {
      const channel = v.channel as ChannelName;
      if (!insertedIds.has(v.id!)) result.duplicates.push(channel);
      else if (v.status === 'skipped') result.skipped.push(channel);
      else result.queued.push(channel);
    }
    if (result.queued.length > 0) await this.wakeDispatchers(executor);
    return result;
  }

  /**
   * The outbox rows for a notification, without writing them: for callers that insert them in
   * the same statement as a state change (the engine's checkpoints: a FAILED / NEEDS_ATTENTION alert, a step's own notifications), so
   * the alert exists if and only if the state change committed. Throws `InvalidNotificationError`.
   */
  readonly rowsFor = (input: WorkflowNotification): OutboxInsert[] => {
    const n = parseNotification(input);
    const dedupeKey = `${n.kind}:${n.workflowId}:${n.key}`;
    const plan = this.plan(n);
    const deliverable = plan.filter((p) => !p.skipReason);
    // Skipped rows are written only when nothing can deliver it: an unconfigured second channel
    // beside a working one is reported once at start, not on every message.
    const rowsToWrite = deliverable.length > 0 ? deliverable : plan;
    if (deliverable.length === 0) this.reportSkipped(n, rowsToWrite);
    return rowsToWrite.map((p) => {
      const message = renderMessage(n, p.channel);
      return {
        id: randomUUID(),
        dedupeKey,
        workflowId: n.workflowId,
        channel: p.channel,
        kind: n.kind,
        recipient: p.skipReason ? '' : p.recipients.join(','),
        subject: message.subject,
        body: message.text,
        status: p.skipReason ? 'skipped' : 'pending',
        lastError: p.skipReason ?? null,
      };
    });
  };

  async start(): Promise<void> {
    await this.dispatcher.refreshBacklog();
    if (this.channels.size > 0) await this.dispatcher.start();
  }

  async stop(): Promise<void> {
    await this.dispatcher.stop();
    await Promise.allSettled([...this.channels.values()].map((c) => c.close()));
  }

  private plan(n: WorkflowNotification): PlannedRow[] {
    const email = this.channels.has('email');
    if (n.audience === 'instructor') {
      return [
        {
          channel: 'email',
          recipients: email && n.instructorEmail ? [n.instructorEmail] : [],
          skipReason: email ? undefined : 'email channel not configured (SMTP_URL)',
        },
      ];
    }
    const operatorEmails = this.opts.operatorEmails;
    return [
      {
        channel: 'slack',
        recipients: [SLACK_RECIPIENT],
        skipReason: this.channels.has('slack') ? undefined : 'slack channel not configured (SLACK_WEBHOOK_URL)',
      },
      {
        channel: 'email',
        recipients: email ? operatorEmails : [],
        skipReason: !email
          ? 'email channel not configured (SMTP_URL)'
          : operatorEmails.length === 0
            ? 'no operator recipients (OPERATOR_EMAILS)'
            : undefined,
      },
    ];
  }

  /** Counted every time, logged once per kind per process: the outbox rows are the full record. */
  private reportSkipped(n: WorkflowNotification, rows: PlannedRow[]): void {
    for (const r of rows) notificationsSent.inc({ channel: r.channel, outcome: 'skipped' });
    if (this.skipLoggedKinds.has(n.kind)) return;
    this.skipLoggedKinds.add(n.kind);
    log().info(
      { kind: n.kind, audience: n.audience, workflow_id: n.workflowId, reasons: rows.map((r) => r.skipReason) },
      'notification recorded as skipped: no configured channel can deliver it (further skips of this kind are not logged)',
    );
  }

  /**
   * NOTIFY inside the caller's transaction is delivered at commit (on Postgres and PGlite alike),
   * so dispatchers never wake before the row is visible; outside one it goes out at once.
   */
  private async wakeDispatchers(executor?: Executor): Promise<void> {
    if (executor) {
      await executor.execute(sql`select pg_notify(${NOTIFICATION_WAKE_CHANNEL}, '')`);
      return;
    }
    await this.opts.database.notify(NOTIFICATION_WAKE_CHANNEL);
  }
}

export type NotificationConfig = Pick<Config, 'SMTP_URL' | 'SMTP_FROM' | 'SLACK_WEBHOOK_URL' | 'OPERATOR_EMAILS'>;

export interface CreateNotificationServiceDeps {
  database: Database;
  /** The process's one outbound HTTP client (Slack goes through it). */
  http: OutboundHttpClient;
  workerId: string;
  dispatcher?: NotificationServiceOptions['dispatcher'];
  /** SMTP socket timeouts; default 10 s. */
  smtpTimeoutMs?: number;
}

/**
 * Builds the channels the configuration allows and says once which are missing. URLs are never
 * logged: a Slack webhook URL and an SMTP URL carry credentials.
 */
export function createNotificationService(config: NotificationConfig, deps: CreateNotificationServiceDeps): NotificationService {
  const channels: NotificationChannel[] = [];
  if (config.SMTP_URL) {
    channels.push(new SmtpEmailChannel({ smtpUrl: config.SMTP_URL, from: config.SMTP_FROM, timeoutMs: deps.smtpTimeoutMs }));
    if (config.OPERATOR_EMAILS.length === 0) {
      log().warn('OPERATOR_EMAILS is empty: operators get no email notifications (instructors still do)');
    }
  } else {
    log().warn('SMTP_URL is not set: email notifications (operators and instructors) are not sent; they are recorded as skipped');
  }
  if (config.SLACK_WEBHOOK_URL) {
    channels.push(new SlackWebhookChannel(config.SLACK_WEBHOOK_URL, deps.http));
  } else {
    log().warn('SLACK_WEBHOOK_URL is not set: operator notifications are not posted to Slack');
  }
  log().info(
    { channels: channels.map((c) => c.name), operator_recipients: config.OPERATOR_EMAILS.length },
    channels.length ? 'notification channels configured' : 'no notification channel configured: notifications are recorded as skipped',
  );
  return new NotificationService({
    database: deps.database,
    channels,
    operatorEmails: config.OPERATOR_EMAILS,
    workerId: deps.workerId,
    dispatcher: deps.dispatcher,
  });
}
