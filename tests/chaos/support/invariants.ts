import { sql } from 'drizzle-orm';
import { rows, type Database } from '../../../backend/db/client';
import type { SimulatorStats } from '../../../backend/simulators/presgen-simulator';

/**
 * The "nothing lost, nothing doubled" checks every chaos scenario ends with, read from the
 * database (step runs, audit trail) and from the PresGen simulators' per-key counters.
 */

export async function statusCounts(database: Database, ids?: string[]): Promise<Record<string, number>> {
  const found = await rows<{ status: string; n: number }>(
    database.db,
    ids
      ? sql`select status, count(*)::int as n from workflows where id in ${ids} group by status`
      : sql`select status, count(*)::int as n from workflows group by status`,
  );
  return Object.fromEntries(found.map((r) => [r.status, Number(r.n)]));
}

/** (workflow, step) pairs whose step succeeded more than once: must be none. */
export async function doubleStepRuns(database: Database): Promise<Array<{ workflow_id: string; step: string; n: number }>> {
  return rows(
    database.db,
    sql`select workflow_id, step, count(*)::int as n from step_runs where outcome = 'succeeded'
        group by workflow_id, step having count(*) > 1`,
  );
}

/** (workflow, to_status) pairs with more than one transition in the audit trail: must be none. */
export async function doubleTransitions(database: Database): Promise<Array<{ workflow_id: string; to_status: string; n: number }>> {
  return rows(
    database.db,
    sql`select workflow_id, to_status, count(*)::int as n from audit_events where type = 'transition'
        group by workflow_id, to_status having count(*) > 1`,
  );
}

/** Succeeded step runs per workflow (11 for a completed one). */
export async function succeededStepsPerWorkflow(database: Database): Promise<Map<string, number>> {
  const found = await rows<{ workflow_id: string; n: number }>(
    database.db,
    sql`select workflow_id, count(distinct step)::int as n from step_runs where outcome = 'succeeded' group by workflow_id`,
  );
  return new Map(found.map((r) => [r.workflow_id, Number(r.n)]));
}

export async function countRows(database: Database, table: string): Promise<number> {
  const [row] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from ${sql.identifier(table)}`);
  return Number(row.n);
}

/** Row counts of every table a request could change. */
export async function tableCounts(database: Database): Promise<Record<string, number>> {
  const tables = [
    'workflows',
    'step_runs',
    'audit_events',
    'workspace_commands',
    'fanout_items',
    'form_submissions',
    'quota_reports',
    'notification_outbox',
  ];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = await countRows(database, t);
  return out;
}

/** Idempotency keys under which the simulator created more than one job. */
export function keysWithExtraJobs(stats: SimulatorStats): string[] {
  return Object.entries(stats.jobsByIdempotencyKey)
    .filter(([, k]) => k.jobsCreated !== 1)
    .map(([key]) => key);
}

/** The keys one deck / one video per course must exist under, for the given workflows. */
export async function expectedJobKeys(
  database: Database,
  ids: string[],
  step: 'GENERATING_PRESENTATIONS' | 'GENERATING_AVATAR_VIDEOS',
): Promise<string[]> {
  const found = await rows<{ idempotency_key: string }>(
    database.db,
    sql`select idempotency_key from fanout_items where step = ${step} order by idempotency_key`,
  );
  const wanted = new Set(ids);
  return found.map((r) => r.idempotency_key).filter((k) => wanted.has(k.split(':')[0]));
}
