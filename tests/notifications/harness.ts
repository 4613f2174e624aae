import { randomUUID } from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import { openDatabase, type Database } from '../../backend/db/client';
import { notificationOutbox } from '../../backend/db/schema';
import { OutboundHttpClient } from '../../backend/integration/http-client';
import { notificationsSent } from '../../backend/observability/metrics';
import type { WorkflowNotification } from '../../backend/workflow/engine-deps';
import { createNotificationService, type NotificationConfig, type NotificationService } from '../../backend/workflow/notifications';
import { createTestDatabase, type Driver, type TestDatabase } from '../support/postgres';
import { teardown } from '../support/teardown';
import { startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from './receivers';

export const SMTP_USER = 'notify-user';
export const SMTP_PASS = 'smtp-pass-Q7x9ZpW3';
export const SLACK_SECRET_PATH = '/services/T0TEST/B0TEST/hook-secret-4f2a9c';
export const OPERATORS = ['oncall.one@ops.example', 'oncall.two@ops.example'];
export const INSTRUCTOR = 'instructor.jane@school.example';

/** A database (PGlite in memory, or a fresh database on the machine's Postgres) and both receivers. */
export interface Harness {
  database: Database;
  smtp: SmtpReceiver;
  webhook: WebhookReceiver;
  config(overrides?: Partial<NotificationConfig>): NotificationConfig;
  service(opts?: { config?: Partial<NotificationConfig>; workerId?: string; maxAttempts?: number }): NotificationService;
  rowsFor(workflowId: string): Promise<Array<typeof notificationOutbox.$inferSelect>>;
  close(): Promise<void>;
}

export async function startHarness(driver: Driver): Promise<Harness> {
  const pg: TestDatabase | undefined = driver === 'postgres' ? await createTestDatabase('presgen_notify') : undefined;
  const database = await openDatabase(pg ? { databaseUrl: pg.url, poolSize: 4 } : {}).catch(async (err: unknown) => {
    await pg?.drop(); // (a later failed start is left to the exit hook and the global teardown, tests/support/postgres.ts)
    throw err;
  });
  const smtp = await startSmtpReceiver({ user: SMTP_USER, pass: SMTP_PASS });
  const webhook = await startWebhookReceiver(SLACK_SECRET_PATH);
  // No in-request retries: every retry in these tests is the outbox's own, so counts are exact.
  const http = new OutboundHttpClient({ retries: 0, timeoutMs: 5_000, breaker: { consecutiveFailures: 1000, halfOpenAfterMs: 1000 } });
  const services: NotificationService[] = [];
  const config = (overrides: Partial<NotificationConfig> = {}): NotificationConfig => ({
    SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${smtp.port}`,
    SMTP_FROM: 'PresGen-Assess <no-reply@presgen.test>',
    SLACK_WEBHOOK_URL: webhook.url,
    OPERATOR_EMAILS: OPERATORS,
    ...overrides,
  });
  return {
    database,
    smtp,
    webhook,
    config,
    service(opts = {}) {
      const service = createNotificationService(config(opts.config), {
        database,
        http,
        workerId: opts.workerId ?? `worker-${randomUUID().slice(0, 8)}`,
        smtpTimeoutMs: 5_000,
        // Tiny backoff so retries are due at once; the schedule itself is shared/backoff's concern.
        dispatcher: { retryBaseMs: 1, retryMaxMs: 5, maxAttempts: opts.maxAttempts ?? 4, idleWaitMs: 50 },
      });
      services.push(service);
      return service;
    },
    async rowsFor(workflowId) {
      return database.db
        .select()
        .from(notificationOutbox)
        .where(eq(notificationOutbox.workflowId, workflowId))
        .orderBy(asc(notificationOutbox.channel));
    },
    async close() {
      await teardown(
        () => Promise.allSettled(services.map((s) => s.stop())),
        () => smtp.close(),
        () => webhook.close(),
        () => database.close(),
        () => pg?.drop(),
      );
    },
  };
}

export function uniqueWorkflowId(): string {
  return `wf-${randomUUID().slice(0, 12)}`;
}

export function operatorAlert(workflowId: string, overrides: Partial<WorkflowNotification> = {}): WorkflowNotification {
  return {
    kind: 'needs_attention',
    workflowId,
    key: 'GENERATING_PRESENTATIONS:7',
    audience: 'operators',
    subject: `Workflow ${workflowId} needs attention at GENERATING_PRESENTATIONS`,
    text: `Workflow ${workflowId} moved to NEEDS_ATTENTION at step GENERATING_PRESENTATIONS (attempt 6): presgen_core submit: HTTP 503`,
    ...overrides,
  };
}

export function deliverablesReady(workflowId: string): WorkflowNotification {
  return {
    kind: 'deliverables_ready',
    workflowId,
    key: 'final',
    audience: 'instructor',
    instructorEmail: INSTRUCTOR,
    subject: 'PresGen-Assess: training deliverables are ready',
    text: [
      'Deliverables are ready (aws-saa-c03):',
      'Results: https://docs.google.com/spreadsheets/d/results-1',
      'Deck 1 - VPC design: https://presgen.example/decks/d-1',
      'Video 1 - VPC design: https://presgen.example/videos/v-1',
    ].join('\n'),
  };
}

/** Runs dispatch rounds until the rows of these workflows are settled (bounded). */
export async function drain(service: NotificationService, database: Database, workflowIds: string[], maxRounds = 40): Promise<number> {
  let rounds = 0;
  for (; rounds < maxRounds; rounds++) {
    const statuses = await database.db
      .select({ status: notificationOutbox.status })
      .from(notificationOutbox)
      .where(inArray(notificationOutbox.workflowId, workflowIds));
    const unsettled = statuses.filter((r) => r.status === 'pending' || r.status === 'sending').length;
    if (statuses.length > 0 && unsettled === 0) return rounds;
    await service.dispatcher.dispatchOnce();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`outbox rows of ${workflowIds.join(',')} not settled after ${maxRounds} rounds`);
}

/** Current value of presgen_notifications_total for a channel and outcome. */
export async function sentCount(channel: string, outcome: string): Promise<number> {
  const metric = await notificationsSent.get();
  return metric.values.find((v) => v.labels.channel === channel && v.labels.outcome === outcome)?.value ?? 0;
}

/** Polls until check() is truthy (bounded), for the loop-driven tests. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, maxPolls = 200): Promise<void> {
  for (let i = 0; i < maxPolls; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
