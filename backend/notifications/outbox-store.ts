import { and, asc, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import { rows, type Executor } from '../db/client';
import { notificationOutbox } from '../db/schema';

/**
 * The notification outbox in Postgres. Rows are claimed like the engine claims work: one
 * `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)` statement, a lease with an expiry
 * (a crashed sender's rows are claimed again after it), and every later write fenced by
 * `lease_owner` so a sender that lost its lease cannot overwrite the new owner's outcome.
 *
 * Status: pending → sending → sent | failed (pending again between retries); `skipped` rows
 * record a notification no configured channel could take, so it is visible, not silently lost.
 * Times are computed by the database (`now()`), so replicas with skewed clocks agree.
 */

export type OutboxRow = typeof notificationOutbox.$inferSelect;
export type OutboxInsert = typeof notificationOutbox.$inferInsert;

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
  const due = db
    .select({ id: notificationOutbox.id })
    .from(notificationOutbox)
    .where(
      and(
        inArray(notificationOutbox.channel, opts.channels),
        or(
          and(eq(notificationOutbox.status, 'pending'), lte(notificationOutbox.runAfter, sql`now()`)),
          and(eq(notificationOutbox.status, 'sending'), lt(notificationOutbox.leaseExpiresAt, sql`now()`)),
        ),
      ),
    )
    .orderBy(asc(notificationOutbox.runAfter), asc(notificationOutbox.createdAt))
    .limit(opts.max)
    .for('update', { skipLocked: true });
  return db
    .update(notificationOutbox)
    .set({
      status: 'sending',
      attempts: sql`${notificationOutbox.attempts} + 1`,
      leaseOwner: opts.workerId,
      leaseExpiresAt: sql`now() + ${opts.leaseMs} * interval '1 millisecond'`,
    })
    .where(inArray(notificationOutbox.id, due))
    .returning();
}

function ownedBy(id: string, workerId: string) {
  return and(eq(notificationOutbox.id, id), eq(notificationOutbox.leaseOwner, workerId), eq(notificationOutbox.status, 'sending'));
}

/** False when the lease was lost (another sender took the row over). */
export async function markNotificationSent(db: Executor, id: string, workerId: string): Promise<boolean> {
  const updated = await db
    .update(notificationOutbox)
    .set({ status: 'sent', delivered: true, sentAt: sql`now()`, lastError: null, leaseOwner: null, leaseExpiresAt: null })
    .where(ownedBy(id, workerId))
    .returning({ id: notificationOutbox.id });
  return updated.length > 0;
}

export async function scheduleNotificationRetry(
  db: Executor,
  id: string,
  workerId: string,
  delayMs: number,
  error: string,
): Promise<boolean> {
  const updated = await db
    .update(notificationOutbox)
    .set({
      status: 'pending',
      runAfter: sql`now() + ${Math.max(0, Math.round(delayMs))} * interval '1 millisecond'`,
      lastError: error,
      leaseOwner: null,
      leaseExpiresAt: null,
    })
    .where(ownedBy(id, workerId))
    .returning({ id: notificationOutbox.id });
  return updated.length > 0;
}

export async function markNotificationFailed(db: Executor, id: string, workerId: string, error: string): Promise<boolean> {
  const updated = await db
    .update(notificationOutbox)
    .set({ status: 'failed', lastError: error, leaseOwner: null, leaseExpiresAt: null })
    .where(ownedBy(id, workerId))
    .returning({ id: notificationOutbox.id });
  return updated.length > 0;
}

/** Milliseconds until the next row of these channels becomes claimable (0 if one is due), null if none. */
export async function msUntilNextDue(db: Executor, channels: string[]): Promise<number | null> {
  if (channels.length === 0) return null;
  const [row] = await db
    .select({
      waitMs: sql<string | number | null>`extract(epoch from (min(case when ${notificationOutbox.status} = 'pending'
        then ${notificationOutbox.runAfter} else ${notificationOutbox.leaseExpiresAt} end) - now())) * 1000`,
    })
    .from(notificationOutbox)
    .where(and(inArray(notificationOutbox.channel, channels), inArray(notificationOutbox.status, ['pending', 'sending'])));
  return row?.waitMs == null ? null : Math.max(0, Number(row.waitMs));
}

/** Rows not yet delivered (pending or being sent), for the backlog gauge. */
export async function countUndelivered(db: Executor): Promise<number> {
  const [row] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from notification_outbox where status in ('pending', 'sending')`,
  );
  return Number(row?.n ?? 0);
}
