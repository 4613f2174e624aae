import { and, asc, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import { rows, type Executor } from '../db/client';
import { notificationOutbox } from '../db/schema';
import { claimDue, finishLeased, msFromNow, msUntilDue, type LeasedTable } from '../leased-work/leased-table';

/**
 * The notification outbox in Postgres, as leased work (leased-work/leased-table.ts): rows are
 * claimed with a lease that expires (a crashed sender's rows are claimed again after it), and every
 * later write is fenced by `lease_owner`, so a sender that lost its lease cannot overwrite the new
 * owner's outcome.
 *
 * Status: pending → sending → sent | failed (pending again between retries); `skipped` rows
 * record a notification no configured channel could take, so it is visible, not silently lost.
 * Times are computed by the database (`now()`), so replicas with skewed clocks agree.
 */

export type OutboxRow = typeof notificationOutbox.$inferSelect;
export type OutboxInsert = typeof notificationOutbox.$inferInsert;

/** Outbox rows as leased work: the lease holder is the dispatcher's worker id. */
export const OUTBOX_LEASES: LeasedTable<typeof notificationOutbox> = {
  name: 'notification outbox',
  table: notificationOutbox,
  holderKey: 'leaseOwner',
};

/** Inserts rows, skipping any whose (dedupe_key, channel) exists; returns the ids inserted. */
export async function insertOutboxRows(db: Executor, values: OutboxInsert[]): Promise<string[]> {
  if (values.length === 0) return [];
  const inserted = await db
    .insert(notificationOutbox)
    .values(values)
    .onConflictDoNothing({ target: [notificationOutbox.dedupeKey, notificationOutbox.channel] })
    .returning({ id: notificationOutbox.id });
  return inserted.map((r) => r.id);
}

/** Claims due rows of the given channels: pending ones whose time has come, and sending ones whose lease expired. */
export async function claimDueNotifications(
  db: Executor,
  opts: { channels: string[]; workerId: string; leaseMs: number; max: number },
): Promise<OutboxRow[]> {
  if (opts.channels.length === 0 || opts.max <= 0) return [];
  return claimDue(db, OUTBOX_LEASES, {
    due: and(
      inArray(notificationOutbox.channel, opts.channels),
      or(
        and(eq(notificationOutbox.status, 'pending'), lte(notificationOutbox.runAfter, sql`now()`)),
        and(eq(notificationOutbox.status, 'sending'), lt(notificationOutbox.leaseExpiresAt, sql`now()`)),
      ),
    )!,
    orderBy: [asc(notificationOutbox.runAfter), asc(notificationOutbox.createdAt)],
    max: opts.max,
    holder: opts.workerId,
    leaseMs: opts.leaseMs,
    set: { status: 'sending', attempts: sql`${notificationOutbox.attempts} + 1` },
  });
}

/** The fenced finish of a row this sender holds (status still `sending`). */
function finishSending(db: Executor, id: string, workerId: string, set: Record<string, unknown>): Promise<boolean> {
  return finishLeased(db, OUTBOX_LEASES, id, workerId, set, eq(notificationOutbox.status, 'sending'));
}

/** False when the lease was lost (another sender took the row over). */
export async function markNotificationSent(db: Executor, id: string, workerId: string): Promise<boolean> {
  return finishSending(db, id, workerId, { status: 'sent', delivered: true, sentAt: sql`now()`, lastError: null });
}

export async function scheduleNotificationRetry(
  db: Executor,
  id: string,
  workerId: string,
  delayMs: number,
  error: string,
): Promise<boolean> {
  return finishSending(db, id, workerId, { status: 'pending', runAfter: msFromNow(delayMs), lastError: error });
}

export async function markNotificationFailed(db: Executor, id: string, workerId: string, error: string): Promise<boolean> {
  return finishSending(db, id, workerId, { status: 'failed', lastError: error });
}

/** Milliseconds until the next row of these channels becomes claimable (0 if one is due), null if none. */
export async function msUntilNextDue(db: Executor, channels: string[]): Promise<number | null> {
  if (channels.length === 0) return null;
  const { due } = await msUntilDue(
    db,
    OUTBOX_LEASES,
    {
      due: sql`case when ${notificationOutbox.status} = 'pending' then ${notificationOutbox.runAfter} else ${notificationOutbox.leaseExpiresAt} end`,
    },
    and(inArray(notificationOutbox.channel, channels), inArray(notificationOutbox.status, ['pending', 'sending'])),
  );
  return due === null ? null : Math.max(0, due);
}

/** Rows not yet delivered (pending or being sent), for the backlog gauge. */
export async function countUndelivered(db: Executor): Promise<number> {
  const [row] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from notification_outbox where status in ('pending', 'sending')`,
  );
  return Number(row?.n ?? 0);
}
