import { and, inArray, isNull, lt, lte, notInArray, or, sql } from 'drizzle-orm';
import type { StepStatus, WorkflowStatus } from '../../shared/workflow-status';
import { rows, type Executor } from '../db/client';
import { workflows } from '../db/schema';
import type { WorkflowRow } from '../db/repositories/workflow-repository';

/**
 * The engine's hot path, one SQL statement each: claim due workflows with a lease, and write a
 * step's outcome (checkpoint + state change + step-run row + audit event) atomically, fenced by
 * version and lease owner so a worker that lost its lease cannot write anything.
 */

const NOT_RUNNABLE: WorkflowStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED', 'EXPIRED', 'NEEDS_ATTENTION'];

export async function leaseNextDueWorkflows(
  db: Executor,
  workerId: string,
  max: number,
  leaseMs: number,
): Promise<WorkflowRow[]> {
  if (max <= 0) return [];
  const due = db
    .select({ id: workflows.id })
    .from(workflows)
    .where(
      and(
        lte(workflows.runAfter, sql`now()`),
        or(isNull(workflows.leaseExpiresAt), lt(workflows.leaseExpiresAt, sql`now()`)),
        notInArray(workflows.status, NOT_RUNNABLE),
      ),
    )
    .orderBy(workflows.runAfter)
    .limit(max)
    .for('update', { skipLocked: true });
  return db
    .update(workflows)
    .set({
      leaseOwner: workerId,
      leaseExpiresAt: sql`now() + ${leaseMs} * interval '1 millisecond'`,
      version: sql`${workflows.version} + 1`,
    })
    .where(inArray(workflows.id, due))
    .returning();
}

/** Heartbeat: extends the leases this worker still holds. Does not bump the version. */
export async function renewWorkflowLeases(db: Executor, workerId: string, ids: string[], leaseMs: number): Promise<number> {
  if (ids.length === 0) return 0;
  const renewed = await db
    .update(workflows)
    .set({ leaseExpiresAt: sql`now() + ${leaseMs} * interval '1 millisecond'` })
    .where(and(inArray(workflows.id, ids), sql`${workflows.leaseOwner} = ${workerId}`))
    .returning({ id: workflows.id });
  return renewed.length;
}

/** When the next workflow becomes claimable (due and lease expired), or null if none is scheduled. */
export async function nextWorkflowDueAt(db: Executor): Promise<number | null> {
  const [row] = await rows<{ due_ms: string | number | null }>(
    db,
    sql`select extract(epoch from min(greatest(run_after, coalesce(lease_expires_at, run_after)))) * 1000 as due_ms
        from workflows where run_after is not null`,
  );
  return row?.due_ms == null ? null : Number(row.due_ms);
}

export type CheckpointOutcome = 'succeeded' | 'parked' | 'retrying' | 'failed' | 'skipped';

export interface CheckpointInput {
  workflowId: string;
  workerId: string;
  expectedVersion: number;
  from: WorkflowStatus;
  to: WorkflowStatus;
  step: StepStatus;
  stepAttempt: number;
  nextAttempt: number;
  outcome: CheckpointOutcome;
  /** Recorded under outputs[step] when given. */
  output?: unknown;
  input?: unknown;
  errorCategory?: 'transient' | 'permanent';
  error?: string;
  startedAt: Date;
  /**
   * continue: this worker keeps the lease and runs the next step now.
   * park: sleep until `until` (or an event when null); a wake-up after `seenWakeSeq` makes it due now.
   * release: no lease, due at `until` (retry backoff).
   * stop: terminal or waiting for a human (not runnable).
   */
  schedule:
    | { kind: 'continue'; leaseMs: number }
    | { kind: 'park'; until: Date | null; seenWakeSeq: number }
    | { kind: 'release'; until: Date }
    | { kind: 'stop' };
  formId?: string;
  submittedAt?: Date;
  failedStep?: StepStatus | null;
  lastError?: string | null;
  actor: string;
  auditDetails?: Record<string, unknown>;
}

export interface CheckpointResult {
  version: number;
  wakeSeq: number;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/** Returns null when the fence failed: the lease was lost or someone else changed the workflow. */
export async function checkpointStep(db: Executor, c: CheckpointInput): Promise<CheckpointResult | null> {
  const s = c.schedule;
  const runAfter =
    s.kind === 'continue'
      ? sql`now()`
      : s.kind === 'park'
        ? sql`case when wake_seq = ${s.seenWakeSeq} then ${s.until ? s.until.toISOString() : null}::timestamptz else now() end`
        : s.kind === 'release'
          ? sql`${s.until.toISOString()}::timestamptz`
          : sql`null::timestamptz`;
  const leaseOwner = s.kind === 'continue' ? sql`${c.workerId}` : sql`null`;
  const leaseExpires =
    s.kind === 'continue' ? sql`now() + ${s.leaseMs} * interval '1 millisecond'` : sql`null::timestamptz`;
  const outputPatch =
    c.output === undefined ? sql`outputs` : sql`outputs || jsonb_build_object(${c.step}::text, ${json(c.output)}::jsonb)`;
  const failedStep = c.failedStep === undefined ? sql`failed_step` : sql`${c.failedStep}`;
  const lastError = c.lastError === undefined ? sql`last_error` : sql`${c.lastError}`;
  const statusChanged = c.from !== c.to;

  const result = await rows<{ version: number; wake_seq: string | number }>(
    db,
    sql`with w as (
      update workflows set
        status = ${c.to},
        version = version + 1,
        outputs = ${outputPatch},
        attempt = ${c.nextAttempt},
        run_after = ${runAfter},
        lease_owner = ${leaseOwner},
        lease_expires_at = ${leaseExpires},
        form_id = coalesce(${c.formId ?? null}, form_id),
        submitted_at = coalesce(${c.submittedAt ? c.submittedAt.toISOString() : null}::timestamptz, submitted_at),
        failed_step = ${failedStep},
        last_error = ${lastError},
        completed_at = case when ${c.to} = 'COMPLETED' then now() else completed_at end,
        updated_at = now()
      where id = ${c.workflowId} and version = ${c.expectedVersion} and lease_owner = ${c.workerId}
      returning id, version, wake_seq
    ), s as (
      insert into step_runs (workflow_id, step, attempt, outcome, input, output, error_category, error, worker_id, started_at, finished_at)
      select id, ${c.step}, ${c.stepAttempt}, ${c.outcome}, ${json(c.input)}::jsonb, ${json(c.output)}::jsonb,
             ${c.errorCategory ?? null}, ${c.error ?? null}, ${c.workerId}, ${c.startedAt.toISOString()}::timestamptz, now()
      from w
    ), a as (
      insert into audit_events (workflow_id, type, from_status, to_status, actor, details)
      select id, 'transition', ${c.from}, ${c.to}, ${c.actor}, ${json(c.auditDetails)}::jsonb from w where ${statusChanged}
    )
    select version, wake_seq from w`,
  );
  const row = result[0];
  return row ? { version: Number(row.version), wakeSeq: Number(row.wake_seq) } : null;
}
