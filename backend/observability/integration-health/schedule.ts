import { sql } from 'drizzle-orm';
import { rows, type Database } from '../../db/client';
import type { WorkflowNotification } from '../../notifications/notification-schema';
import { errorText } from '../error-text';
import { startPeriodic } from '../../leased-work/worker-loop';
import { log } from '../logger';
import { renderIntegrationHealth } from './render';
import { integrationHealthReport } from './report';

/**
 * Sends the weekly integration-health report through the NotificationService. Every replica
 * checks on start and every few minutes whether the last period's report was queued; the outbox
 * dedupe key (one per period end) makes it one message whatever the number of replicas, and a
 * restart, or a replica that was down at the boundary, sends the missed period late instead of
 * never. The outbox delivers it with retries like any notification.
 */

export interface ReportSchedule {
  /** 0 = Sunday … 6 = Saturday (UTC). */
  weekday: number;
  hourUtc: number;
  slaSeconds: number;
}

export const REPORT_WORKFLOW_ID = 'integration-health';
const KIND = 'integration_health_report';

/** The latest period end at or before `now` (weekday at hourUtc, UTC) and its 7-day period. */
export function lastReportPeriod(now: Date, s: Pick<ReportSchedule, 'weekday' | 'hourUtc'>): { from: Date; to: Date } {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), s.hourUtc));
  to.setUTCDate(to.getUTCDate() - ((to.getUTCDay() - s.weekday + 7) % 7));
  if (to > now) to.setUTCDate(to.getUTCDate() - 7);
  return { from: new Date(to.getTime() - 7 * 86_400_000), to };
}

/** Queues the last period's report unless it already was; true when this call queued it. */
export async function sendDueReport(
  database: Database,
  notify: (n: WorkflowNotification) => Promise<void>,
  schedule: ReportSchedule,
  now = new Date(),
): Promise<boolean> {
  const period = lastReportPeriod(now, schedule);
  const key = period.to.toISOString();
  const [queued] = await rows(
    database.db,
    sql`select 1 from notification_outbox where dedupe_key = ${`${KIND}:${REPORT_WORKFLOW_ID}:${key}`} limit 1`,
  );
  if (queued) return false;
  const report = await integrationHealthReport(database.db, { ...period, slaSeconds: schedule.slaSeconds });
  const message = renderIntegrationHealth(report);
  await notify({ kind: KIND, workflowId: REPORT_WORKFLOW_ID, key, audience: 'operators', subject: message.subject, text: message.text });
  log().info({ from: report.from, to: report.to }, 'integration-health report queued');
  return true;
}

/** Checks now and every `checkEveryMs`; returns a stop function. */
export function startReportSchedule(
  database: Database,
  notify: (n: WorkflowNotification) => Promise<void>,
  schedule: ReportSchedule,
  checkEveryMs = 10 * 60_000,
): () => Promise<void> {
  return startPeriodic({
    name: 'integration-health report',
    everyMs: checkEveryMs,
    run: () =>
      sendDueReport(database, notify, schedule).catch((err) =>
        log().warn({ err: errorText(err) }, 'integration-health report not sent yet; will retry'),
      ),
  });
}
