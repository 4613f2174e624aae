import { and, inArray, isNotNull, isNull, lt, lte, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { NOT_RUNNABLE_STATUSES, type StepStatus, type WorkflowStatus } from '../../shared/workflow-status';
import { rows, type Executor } from '../db/client';
import { workflows } from '../db/schema';
import type { WorkflowRow } from '../db/repositories/workflow-repository';
import type { OutboxInsert } from '../notifications/outbox-store';
import { WAKE_CHANNEL } from './wake-channel';

/**
 * The engine's hot path, one SQL statement each: claim due workflows with a lease, and write a
 * step's outcome (checkpoint + state change + step-run row + audit event) atomically, fenced by
 * version and lease owner so a worker that lost its lease cannot write anything.
 */

export async function leaseNextDueWorkflows(db: Executor, workerId: string, max: number, leaseMs: number): Promise<WorkflowRow[]> {
  if (max <= 0) return [];
  const due = db
    .select({ id: workflows.id })
    .from(workflows)
    .where(
      and(
        lte(workflows.runAfter, sql`now()`),
        or(isNull(workflows.leaseExpiresAt), lt(workflows.leaseExpiresAt, sql`now()`)),
        // A FAILED/CANCELLED workflow whose compensation is still due is work too.
        or(notInArray(workflows.status, [...NOT_RUNNABLE_STATUSES]), isNotNull(workflows.compensationKey)),
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
  /**
   * lease (default): only the lease holder at `expectedVersion` may write (the engine).
   * version: anyone at `expectedVersion` and `from` may write, and the write voids the lease
   * (actors outside the engine: the HTTP unhandled-error path); the lease holder's next write is
   * then fenced off by the version.
   */
  fence?: 'lease' | 'version';
  /** Write a step_runs row (default true). */
  recordStepRun?: boolean;
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
   * compensate: this worker keeps the lease and compensates now; `key` marks the compensation
   * as due (claimable by another worker if this one dies) until `finishCompensation` clears it.
   */
  schedule:
    | { kind: 'continue'; leaseMs: number }
    | { kind: 'compensate'; leaseMs: number; key: string }
    | { kind: 'park'; until: Date | null; seenWakeSeq: number }
    | { kind: 'release'; until: Date }
    | { kind: 'stop' };
  formId?: string;
  submittedAt?: Date;
  failedStep?: StepStatus | null;
  lastError?: string | null;
  actor: string;
  /** Audit event type for the status change (default 'transition'). */
  auditType?: string;
  auditDetails?: Record<string, unknown>;
  /** Notification outbox rows inserted by the same statement: they exist iff the write committed. */
  alert?: OutboxInsert[];
}

export interface CheckpointResult {
  version: number;
  wakeSeq: number;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/** Returns null when the fence failed: the lease was lost or someone else changed the workflow. */
export async function checkpointStep(db: Executor, c: CheckpointInput): Promise<CheckpointResult | null> {
  const s = c.schedule;
  const keepsLease = s.kind === 'continue' || s.kind === 'compensate';
  const runAfter = keepsLease
    ? sql`now()`
    : s.kind === 'park'
      ? sql`case when wake_seq = ${s.seenWakeSeq} then ${s.until ? s.until.toISOString() : null}::timestamptz else now() end`
      : s.kind === 'release'
        ? sql`${s.until.toISOString()}::timestamptz`
        : sql`null::timestamptz`;
  const leaseOwner = keepsLease ? sql`${c.workerId}` : sql`null`;
  const leaseExpires = keepsLease ? sql`now() + ${s.leaseMs} * interval '1 millisecond'` : sql`null::timestamptz`;
  const compensationKey = s.kind === 'compensate' ? sql`${s.key}` : sql`compensation_key`;
  const outputPatch = c.output === undefined ? sql`outputs` : sql`outputs || jsonb_build_object(${c.step}::text, ${json(c.output)}::jsonb)`;
  const failedStep = c.failedStep === undefined ? sql`failed_step` : sql`${c.failedStep}`;
  const lastError = c.lastError === undefined ? sql`last_error` : sql`${c.lastError}`;
  const audited = c.from !== c.to || c.auditType !== undefined;
  const fence = (c.fence ?? 'lease') === 'lease' ? sql`lease_owner = ${c.workerId}` : sql`status = ${c.from}`;
  const stepRun =
    c.recordStepRun === false
      ? sql``
      : sql`, s as (
      insert into step_runs (workflow_id, step, attempt, outcome, input, output, error_category, error, worker_id, started_at, finished_at)
      select id, ${c.step}, ${c.stepAttempt}, ${c.outcome}, ${json(c.input)}::jsonb, ${json(c.output)}::jsonb,
             ${c.errorCategory ?? null}, ${c.error ?? null}, ${c.workerId}, ${c.startedAt.toISOString()}::timestamptz, now()
      from w
    )`;
  const alert = outboxInsertFrom(sql`w`, c.alert);

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
        compensation_key = ${compensationKey},
        form_id = coalesce(${c.formId ?? null}, form_id),
        submitted_at = coalesce(${c.submittedAt ? c.submittedAt.toISOString() : null}::timestamptz, submitted_at),
        failed_step = ${failedStep},
        last_error = ${lastError},
        completed_at = case when ${c.to} = 'COMPLETED' then now() else completed_at end,
        updated_at = now()
      where id = ${c.workflowId} and version = ${c.expectedVersion} and ${fence}
      returning id, version, wake_seq
    )${stepRun}, a as (
      insert into audit_events (workflow_id, type, from_status, to_status, actor, details)
      select id, ${c.auditType ?? 'transition'}, ${c.from}, ${c.to}, ${c.actor}, ${json(c.auditDetails)}::jsonb from w where ${audited}
    )${alert.cte}
    select version, wake_seq${alert.select} from w`,
  );
  const row = result[0];
  return row ? { version: Number(row.version), wakeSeq: Number(row.wake_seq) } : null;
}

/**
 * CTE + select-list fragments that insert outbox rows when the CTE `from` returned a row, and
 * wake the dispatchers at commit. Dedupe on (dedupe_key, channel) as everywhere else.
 */
export function outboxInsertFrom(from: SQL, alert: OutboxInsert[] | undefined): { cte: SQL; select: SQL } {
  if (!alert || alert.length === 0) return { cte: sql``, select: sql`` };
  const rowsJson = JSON.stringify(
    alert.map((r) => ({
      id: r.id,
      dedupe_key: r.dedupeKey,
      workflow_id: r.workflowId ?? null,
      channel: r.channel,
      kind: r.kind,
      recipient: r.recipient,
      subject: r.subject,
      body: r.body,
      status: r.status ?? 'pending',
      last_error: r.lastError ?? null,
    })),
  );
  return {
    cte: sql`, o as (
      insert into notification_outbox (id, dedupe_key, workflow_id, channel, kind, recipient, subject, body, status, last_error)
      select v.id, v.dedupe_key, v.workflow_id, v.channel, v.kind, v.recipient, v.subject, v.body, v.status, v.last_error
      from (select 1 from ${from} limit 1) f
      cross join jsonb_to_recordset(${rowsJson}::jsonb) as v(id text, dedupe_key text, workflow_id text, channel text, kind text,
        recipient text, subject text, body text, status text, last_error text)
      on conflict (dedupe_key, channel) do nothing
      returning status
    )`,
    // pg_notify is volatile, so the planner evaluates it; the NOTIFY is delivered at commit.
    select: sql`, (select count(*) from (select pg_notify(${WAKE_CHANNEL.notifications}, '') from o where o.status = 'pending') n) as alerts_queued`,
  };
}

/** Is this worker still the lease holder at this version? Extends the lease when it is. */
export async function holdsWorkflowLease(db: Executor, id: string, workerId: string, version: number, leaseMs: number): Promise<boolean> {
  const held = await rows<{ id: string }>(
    db,
    sql`update workflows set lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
        where id = ${id} and version = ${version} and lease_owner = ${workerId} returning id`,
  );
  return held.length > 0;
}

/**
 * Records one compensated step, fenced by the lease, once per compensation key and step.
 * Returns false when the lease was lost (nothing written).
 */
export async function recordCompensationStep(
  db: Executor,
  c: {
    workflowId: string;
    workerId: string;
    version: number;
    key: string;
    type: 'compensation' | 'compensation_failed';
    details: Record<string, unknown>;
  },
): Promise<boolean> {
  const written = await rows<{ id: string }>(
    db,
    sql`with w as (
          select id from workflows where id = ${c.workflowId} and version = ${c.version} and lease_owner = ${c.workerId}
        ), a as (
          insert into audit_events (workflow_id, type, actor, details)
          select id, ${c.type}, ${c.workerId}, ${JSON.stringify({ ...c.details, compensationKey: c.key })}::jsonb from w
        )
        select id from w`,
  );
  return written.length > 0;
}

/** Steps already compensated under this key (a run resumed after a crash skips them). */
export async function compensatedSteps(db: Executor, workflowId: string, key: string): Promise<Set<string>> {
  const done = await rows<{ step: string }>(
    db,
    sql`select details->>'step' as step from audit_events
        where workflow_id = ${workflowId} and type in ('compensation', 'compensation_failed') and details->>'compensationKey' = ${key}`,
  );
  return new Set(done.map((r) => r.step));
}

/** Fenced end of a compensation: clears the key, releases the lease, audits. Null when fenced off. */
export async function finishCompensation(
  db: Executor,
  c: { workflowId: string; workerId: string; version: number; key: string; status: WorkflowStatus },
): Promise<CheckpointResult | null> {
  const result = await rows<{ version: number; wake_seq: string | number }>(
    db,
    sql`with w as (
          update workflows set compensation_key = null, version = version + 1, run_after = null,
            lease_owner = null, lease_expires_at = null, updated_at = now()
          where id = ${c.workflowId} and version = ${c.version} and lease_owner = ${c.workerId} and compensation_key = ${c.key}
          returning id, version, wake_seq
        ), a as (
          insert into audit_events (workflow_id, type, from_status, to_status, actor, details)
          select id, 'compensation_completed', ${c.status}, ${c.status}, ${c.workerId}, ${JSON.stringify({ compensationKey: c.key })}::jsonb from w
        )
        select version, wake_seq from w`,
  );
  const row = result[0];
  return row ? { version: Number(row.version), wakeSeq: Number(row.wake_seq) } : null;
}
