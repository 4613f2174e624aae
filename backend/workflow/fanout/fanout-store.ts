import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, lte, notInArray, sql } from 'drizzle-orm';
import type { StepStatus } from '../../../shared/workflow-status';
import { rows, tableRows, type Executor } from '../../db/client';
import { WAKE_CHANNEL } from '../../leased-work/wake-channel';
import { fanoutItems } from '../../db/schema';
import { wakeWorkflow } from '../../db/repositories/workflow-repository';
import { claimDue, finishLeased, leaseFree, msUntilDue, renewLeases, type LeasedTable } from '../../leased-work/leased-table';

/**
 * Per-course child jobs of steps 9 and 10. The global concurrency cap per service is enforced
 * here, in Postgres, under a transaction-scoped advisory lock, so it holds across replicas.
 */

export type FanoutItemRow = typeof fanoutItems.$inferSelect;
export type FanoutService = 'presgen_core' | 'presgen_avatar';

export interface FanoutItemSpec {
  itemIndex: number;
  input: unknown;
}

const FINISHED = ['succeeded', 'failed', 'cancelled'];

/** Fan-out items as leased work: the lease holder is the fan-out worker's id. */
export const FANOUT_LEASES: LeasedTable<typeof fanoutItems> = { name: 'fan-out items', table: fanoutItems, holderKey: 'leaseOwner' };

export function fanoutKey(workflowId: string, step: StepStatus, itemIndex: number): string {
  return `${workflowId}:${step}:${itemIndex}`;
}

/**
 * Creates the items once (idempotent) and returns all items of the step, in one statement that
 * also wakes the fan-out workers at commit when an item was new.
 */
export async function ensureFanoutItems(
  db: Executor,
  workflowId: string,
  step: StepStatus,
  service: FanoutService,
  specs: FanoutItemSpec[],
): Promise<FanoutItemRow[]> {
  const wanted = JSON.stringify(
    specs.map((s) => ({ id: randomUUID(), item_index: s.itemIndex, key: fanoutKey(workflowId, step, s.itemIndex), input: s.input })),
  );
  const items = await tableRows(
    db,
    fanoutItems,
    sql`with spec as (
          select * from jsonb_to_recordset(${wanted}::jsonb) as s(id text, item_index int, key text, input jsonb)
        ), ins as (
          insert into fanout_items (id, workflow_id, step, service, item_index, idempotency_key, input)
          select s.id, ${workflowId}, ${step}, ${service}, s.item_index, s.key, s.input from spec s
          on conflict do nothing
          returning *
        ), n as (select pg_notify(${WAKE_CHANNEL.fanout}, '') from ins limit 1)
        select ins.*, (select count(*) from n) as notified from ins
        union all
        select f.*, 0 from fanout_items f where f.workflow_id = ${workflowId} and f.step = ${step}`,
  );
  return items.sort((x, y) => x.itemIndex - y.itemIndex);
}

export async function listFanoutItems(db: Executor, workflowId: string, step?: StepStatus): Promise<FanoutItemRow[]> {
  return db
    .select()
    .from(fanoutItems)
    .where(and(eq(fanoutItems.workflowId, workflowId), step ? eq(fanoutItems.step, step) : undefined))
    .orderBy(asc(fanoutItems.itemIndex));
}

/**
 * Claims pending items of a service up to the global cap minus the items already active
 * anywhere. The advisory lock makes "count active, then activate" atomic across replicas.
 */
export async function claimSubmittableItems(
  db: Executor,
  service: FanoutService,
  cap: number,
  workerId: string,
  leaseMs: number,
): Promise<FanoutItemRow[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'fanout:' + service}))`);
    const [{ active }] = await rows<{ active: number }>(
      tx,
      sql`select count(*)::int as active from fanout_items where service = ${service} and status = 'active'`,
    );
    const free = cap - Number(active);
    if (free <= 0) return [];
    return claimDue(tx, FANOUT_LEASES, {
      due: and(eq(fanoutItems.service, service), eq(fanoutItems.status, 'pending'), lte(fanoutItems.runAfter, sql`now()`))!,
      orderBy: [asc(fanoutItems.runAfter), asc(fanoutItems.createdAt)],
      max: free,
      holder: workerId,
      leaseMs,
      set: { status: 'active', attempt: sql`${fanoutItems.attempt} + 1` },
    });
  });
}

/**
 * Claims active items whose poll is due: those this worker submitted, and those a crashed
 * worker left (submitted or not) once their lease expired.
 */
export async function claimPollableItems(db: Executor, workerId: string, max: number, leaseMs: number): Promise<FanoutItemRow[]> {
  return claimDue(db, FANOUT_LEASES, {
    due: and(eq(fanoutItems.status, 'active'), lte(fanoutItems.runAfter, sql`now()`), leaseFree(FANOUT_LEASES))!,
    orderBy: [asc(fanoutItems.runAfter)],
    max,
    holder: workerId,
    leaseMs,
  });
}

export async function renewFanoutLeases(db: Executor, workerId: string, ids: string[], leaseMs: number): Promise<void> {
  await renewLeases(db, FANOUT_LEASES, workerId, ids, leaseMs);
}

/** Records the external job and schedules its first poll; releases the lease. */
export async function markSubmitted(db: Executor, item: FanoutItemRow, workerId: string, jobId: string, pollAt: Date): Promise<boolean> {
  return finishLeased(
    db,
    FANOUT_LEASES,
    item.id,
    workerId,
    { externalJobId: jobId, submittedAt: sql`coalesce(${fanoutItems.submittedAt}, now())`, runAfter: pollAt },
    eq(fanoutItems.status, 'active'),
  );
}

export async function reschedule(
  db: Executor,
  item: FanoutItemRow,
  workerId: string,
  at: Date,
  patch: Partial<FanoutItemRow> = {},
): Promise<void> {
  await finishLeased(db, FANOUT_LEASES, item.id, workerId, { ...patch, runAfter: at });
}

/**
 * Finishes an item and, in the same transaction, creates its follow-up item (the video of a
 * finished deck) and wakes the workflow when no item of the step is left unfinished. The
 * workflow row lock serialises concurrent finishes, so the last one always sees zero left.
 */
export async function finishItem(
  db: Executor,
  item: FanoutItemRow,
  workerId: string,
  outcome: { status: 'succeeded' | 'failed' | 'cancelled'; result?: unknown; error?: string },
  followUp?: { step: StepStatus; service: FanoutService; input: unknown },
): Promise<{ finished: boolean; wokeWorkflow: boolean }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select id from workflows where id = ${item.workflowId} for update`);
    const finished = await finishLeased(
      tx,
      FANOUT_LEASES,
      item.id,
      workerId,
      { status: outcome.status, result: outcome.result ?? null, lastError: outcome.error ?? null, finishedAt: sql`now()` },
      eq(fanoutItems.status, 'active'),
    );
    if (!finished) return { finished: false, wokeWorkflow: false };
    if (followUp && outcome.status === 'succeeded') {
      await tx
        .insert(fanoutItems)
        .values({
          id: randomUUID(),
          workflowId: item.workflowId,
          step: followUp.step,
          service: followUp.service,
          itemIndex: item.itemIndex,
          idempotencyKey: fanoutKey(item.workflowId, followUp.step, item.itemIndex),
          input: followUp.input,
        })
        .onConflictDoNothing();
      // The follow-up is claimable once this commits: wake the fan-out workers then.
      await tx.execute(sql`select pg_notify(${WAKE_CHANNEL.fanout}, '')`);
    }
    const [{ left }] = await rows<{ left: number }>(
      tx,
      sql`select count(*)::int as left from fanout_items
          where workflow_id = ${item.workflowId} and step = ${item.step} and status not in ('succeeded','failed','cancelled')`,
    );
    const woke = Number(left) === 0 || outcome.status === 'failed' ? await wakeWorkflow(tx, item.workflowId) : false;
    return { finished: true, wokeWorkflow: woke };
  });
}

/** Cancels a workflow's unfinished items; returns those that had an external job to cancel. */
export async function cancelUnfinishedItems(db: Executor, workflowId: string): Promise<FanoutItemRow[]> {
  return db
    .update(fanoutItems)
    .set({ status: 'cancelled', finishedAt: sql`now()`, leaseOwner: null, leaseExpiresAt: null })
    .where(and(eq(fanoutItems.workflowId, workflowId), notInArray(fanoutItems.status, FINISHED)))
    .returning();
}

/**
 * How long until fan-out work is due, in ms from the database's clock (<= 0: due now), for
 * submits (pending items) and polls (active items) separately, in one query, so the worker only
 * runs the claims that can return something.
 */
export async function fanoutWaits(db: Executor): Promise<{ submitMs: number | null; pollMs: number | null }> {
  return msUntilDue(
    db,
    FANOUT_LEASES,
    {
      submitMs: sql`case when ${fanoutItems.status} = 'pending' then ${fanoutItems.runAfter} end`,
      pollMs: sql`case when ${fanoutItems.status} = 'active'
        then greatest(${fanoutItems.runAfter}, coalesce(${fanoutItems.leaseExpiresAt}, ${fanoutItems.runAfter})) end`,
    },
    inArray(fanoutItems.status, ['pending', 'active']),
  );
}
