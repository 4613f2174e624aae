import { and, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { rows, type Executor } from '../db/client';

/**
 * Leased work, written once: every kind of background work (workflows, fan-out items, Apps Script
 * commands, notification outbox rows) is a table whose rows are claimed with a lease, renewed by
 * the holder's heartbeat, finished by a write fenced on the holder, and found by their next due
 * time. The kinds differ only in which rows are due and what a claim or a finish also sets; those
 * are the parameters here. Times come from the database (`now()`), so replicas with skewed clocks
 * agree on who holds what.
 */

/** The columns every leased table has, by their drizzle property names. */
interface LeaseColumns {
  id: PgColumn;
  leaseExpiresAt: PgColumn;
}

export interface LeasedTable<T extends PgTable & LeaseColumns> {
  /** For logs and errors. */
  name: string;
  table: T;
  /**
   * The column that says who holds a claimed row: a worker id (workflows, fan-out, outbox) or a
   * token minted per claim and handed to a remote worker (Apps Script commands).
   */
  holderKey: keyof T['$inferSelect'] & string;
}

export type LeasedRow<T extends PgTable> = T['$inferSelect'];

/** `now() + ms`: a lease deadline or a due time on the database's clock. */
export function msFromNow(ms: number): SQL {
  return sql`now() + ${Math.max(0, Math.round(ms))} * interval '1 millisecond'`;
}

/** Holder values for a claim: a fixed worker id, or a fresh token per claim. */
export const freshLeaseToken = sql`md5(random()::text || clock_timestamp()::text)`;

function holderColumn<T extends PgTable & LeaseColumns>(work: LeasedTable<T>): PgColumn {
  return (work.table as unknown as Record<string, PgColumn>)[work.holderKey];
}

/** A row nobody holds: never leased, released, or its holder's lease expired. */
export function leaseFree<T extends PgTable & LeaseColumns>(work: LeasedTable<T>): SQL {
  return or(isNull(work.table.leaseExpiresAt), lt(work.table.leaseExpiresAt, sql`now()`))!;
}

/** The fence of every write after a claim: this row, still held by this holder. */
export function heldBy<T extends PgTable & LeaseColumns>(work: LeasedTable<T>, id: string | string[], holder: string): SQL {
  return and(Array.isArray(id) ? inArray(work.table.id, id) : eq(work.table.id, id), eq(holderColumn(work), holder))!;
}

/**
 * Claims up to `max` due rows in one statement (`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
 * LOCKED)`): concurrent claimers never get the same row and never wait for each other.
 */
export async function claimDue<T extends PgTable & LeaseColumns>(
  db: Executor,
  work: LeasedTable<T>,
  claim: {
    /** Which rows are due (the kind's condition, including lease expiry where it applies). */
    due: SQL;
    orderBy: (PgColumn | SQL)[];
    max: number;
    holder: string | SQL;
    leaseMs: number;
    /** What else a claim sets (status, attempt counters, the fencing version). */
    set?: Record<string, unknown>;
  },
): Promise<LeasedRow<T>[]> {
  if (claim.max <= 0) return [];
  const due = db
    .select({ id: work.table.id })
    .from(work.table as PgTable)
    .where(claim.due)
    .orderBy(...claim.orderBy)
    .limit(claim.max)
    .for('update', { skipLocked: true });
  const set = { ...claim.set, [work.holderKey]: claim.holder, leaseExpiresAt: msFromNow(claim.leaseMs) };
  return (await db
    .update(work.table as PgTable)
    .set(set as never)
    .where(inArray(work.table.id, due))
    .returning()) as LeasedRow<T>[];
}

/** The heartbeat: extends the leases this holder still has on these rows; returns how many. */
export async function renewLeases<T extends PgTable & LeaseColumns>(
  db: Executor,
  work: LeasedTable<T>,
  holder: string,
  ids: string[],
  leaseMs: number,
): Promise<number> {
  if (ids.length === 0) return 0;
  const renewed = await db
    .update(work.table as PgTable)
    .set({ leaseExpiresAt: msFromNow(leaseMs) } as never)
    .where(heldBy(work, ids, holder))
    .returning({ id: work.table.id });
  return renewed.length;
}

/**
 * The fenced finish: writes `set` and releases the lease, only while this holder still holds the
 * row (and `also` holds). False when the lease was lost: another worker owns the row now and the
 * write is refused whole.
 */
export async function finishLeased<T extends PgTable & LeaseColumns>(
  db: Executor,
  work: LeasedTable<T>,
  id: string,
  holder: string,
  set: Record<string, unknown>,
  also?: SQL,
): Promise<boolean> {
  const updated = await db
    .update(work.table as PgTable)
    .set({ ...set, [work.holderKey]: null, leaseExpiresAt: null } as never)
    .where(and(heldBy(work, id, holder), also))
    .returning({ id: work.table.id });
  return updated.length > 0;
}

/**
 * Milliseconds until the earliest of `dueAt` over the rows matching `where` (<= 0: due now), or
 * null when none is scheduled; named columns give several due times in one round trip.
 */
export async function msUntilDue<T extends PgTable & LeaseColumns, K extends string>(
  db: Executor,
  work: LeasedTable<T>,
  dueAt: Record<K, SQL>,
  where?: SQL,
): Promise<Record<K, number | null>> {
  const keys = Object.keys(dueAt) as K[];
  const select = sql.join(
    keys.map((k) => sql`extract(epoch from (min(${dueAt[k]}) - now())) * 1000 as ${sql.identifier(k)}`),
    sql`, `,
  );
  const [row] = await rows<Record<K, string | number | null>>(
    db,
    sql`select ${select} from ${work.table}${where ? sql` where ${where}` : sql``}`,
  );
  const out = {} as Record<K, number | null>;
  for (const k of keys) out[k] = row?.[k] == null ? null : Number(row[k]);
  return out;
}
