import { and, eq, isNotNull, lte, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { NOT_RUNNABLE_STATUSES, type StepStatus, type WorkflowStatus } from '../../shared/workflow-status';
import { rows, type Executor } from '../db/client';
import { workflows } from '../db/schema';
import type { WorkflowRow } from '../db/repositories/workflow-repository';
import type { OutboxInsert } from '../notifications/outbox-store';
import { COMMAND_INSERT_RECORD, type CommandInsert } from '../workspace/command-queue';
import { WAKE_CHANNEL } from '../leased-work/wake-channel';
import {
  claimDue,
  finishLeased,
  heldBy,
  leaseFree,
  msFromNow,
  msUntilDue,
  renewLeases,
  type LeasedTable,
} from '../leased-work/leased-table';

/**
 * The engine's hot path, one SQL statement each: claim due workflows with a lease, and write a
 * step's outcome (checkpoint + state change + step-run row + audit event) atomically, fenced by
 * version and lease owner so a worker that lost its lease cannot write anything.
 */

/** Workflows as leased work: the lease holder is the engine's worker id. */
export const WORKFLOW_LEASES: LeasedTable<typeof workflows> = { name: 'workflows', table: workflows, holderKey: 'leaseOwner' };

/** Claims due workflows; the claim bumps the fencing version, so a previous holder's writes are refused. */
export async function leaseNextDueWorkflows(db: Executor, workerId: string, max: number, leaseMs: number): Promise<WorkflowRow[]> {
  return claimDue(db, WORKFLOW_LEASES, {
    due: and(
      lte(workflows.runAfter, sql`now()`),
      leaseFree(WORKFLOW_LEASES),
      // A FAILED/CANCELLED workflow whose compensation is still due is work too.
      or(notInArray(workflows.status, [...NOT_RUNNABLE_STATUSES]), isNotNull(workflows.compensationKey)),
    )!,
    orderBy: [workflows.runAfter],
    max,
    holder: workerId,
    leaseMs,
    set: { version: sql`${workflows.version} + 1` },
  });
}

/** Heartbeat: extends the leases this worker still holds. Does not bump the version. */
export async function renewWorkflowLeases(db: Executor, workerId: string, ids: string[], leaseMs: number): Promise<number> {
  return renewLeases(db, WORKFLOW_LEASES, workerId, ids, leaseMs);
}

/** Ms until the next workflow becomes claimable (due and lease expired; <= 0: now), or null if none is scheduled. */
export async function msUntilWorkflowDue(db: Executor): Promise<number | null> {
  const { due } = await msUntilDue(
    db,
    WORKFLOW_LEASES,
    { due: sql`greatest(${workflows.runAfter}, coalesce(${workflows.leaseExpiresAt}, ${workflows.runAfter}))` },
    isNotNull(workflows.runAfter),
  );
  return due;
}

/** Lets go of a claimed workflow without changing it (shutdown), so another replica continues at once. */
export async function releaseWorkflowLease(db: Executor, id: string, workerId: string, version: number): Promise<void> {
  await finishLeased(db, WORKFLOW_LEASES, id, workerId, {}, eq(workflows.version, version));
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
  /**
   * Workspace commands a park inserts with it (NOTIFYing the add-on's claimers at commit). If any
   * already existed, the park makes the workflow due now instead, so the step reads their state.
   */
  commands?: CommandInsert[];
}

export interface CheckpointResult {
  version: number;
  wakeSeq: number;
}

/** One checkpoint as a row of the batch statement's input (see checkpointSteps). */
function checkpointRow(c: CheckpointInput, idx: number) {
  const s = c.schedule;
  const keepsLease = s.kind === 'continue' || s.kind === 'compensate';
  return {
    idx,
    id: c.workflowId,
    expected_version: c.expectedVersion,
    fence_owner: (c.fence ?? 'lease') === 'lease' ? c.workerId : null,
    fence_status: c.from,
    to_status: c.to,
    set_output: c.output !== undefined,
    output: c.output ?? null,
    step: c.step,
    next_attempt: c.nextAttempt,
    sched: s.kind,
    until: s.kind === 'park' ? (s.until?.toISOString() ?? null) : s.kind === 'release' ? s.until.toISOString() : null,
    seen_wake_seq: s.kind === 'park' ? s.seenWakeSeq : null,
    lease_ms: keepsLease ? s.leaseMs : null,
    comp_key: s.kind === 'compensate' ? s.key : null,
    worker: c.workerId,
    form_id: c.formId ?? null,
    submitted_at: c.submittedAt?.toISOString() ?? null,
    set_failed_step: c.failedStep !== undefined,
    failed_step: c.failedStep ?? null,
    set_last_error: c.lastError !== undefined,
    last_error: c.lastError ?? null,
    record_step_run: c.recordStepRun !== false,
    step_attempt: c.stepAttempt,
    outcome: c.outcome,
    input: c.input ?? null,
    error_category: c.errorCategory ?? null,
    error: c.error ?? null,
    started_at: c.startedAt.toISOString(),
    audited: c.from !== c.to || c.auditType !== undefined,
    audit_type: c.auditType ?? 'transition',
    from_status: c.from,
    actor: c.actor,
    audit_details: c.auditDetails ?? null,
    alert: c.alert && c.alert.length > 0 ? c.alert.map(outboxJson) : null,
    commands: c.commands && c.commands.length > 0 ? c.commands : null,
    command_count: c.commands?.length ?? 0,
  };
}

/**
 * Writes many checkpoints in ONE statement (one round trip, one commit): each row's state change,
 * step-run row, audit event and alert rows, each fenced on its own (version + lease holder, or
 * version + status for actors outside the engine). A row whose fence fails writes nothing and
 * gets null; the others are unaffected. The statement text is the same for every batch, so the
 * server plans it once per connection.
 */
export async function checkpointSteps(db: Executor, batch: CheckpointInput[]): Promise<(CheckpointResult | null)[]> {
  if (batch.length === 0) return [];
  const input = JSON.stringify(batch.map(checkpointRow));
  const result = await rows<{ idx: number; version: number; wake_seq: string | number }>(
    db,
    sql`with v as (
      select * from jsonb_to_recordset(${input}::jsonb) as v(
        idx int, id text, expected_version int, fence_owner text, fence_status text, to_status text,
        set_output boolean, output jsonb, step text, next_attempt int, sched text, until timestamptz,
        seen_wake_seq bigint, lease_ms int, comp_key text, worker text, form_id text, submitted_at timestamptz,
        set_failed_step boolean, failed_step text, set_last_error boolean, last_error text,
        record_step_run boolean, step_attempt int, outcome text, input jsonb, error_category text, error text,
        started_at timestamptz, audited boolean, audit_type text, from_status text, actor text, audit_details jsonb,
        alert jsonb, commands jsonb, command_count int)
    ), fenced as (
      -- The rows whose fence holds (the update below re-checks it on the locked row).
      select wf.id from workflows wf join v on wf.id = v.id
      where wf.version = v.expected_version
        and case when v.fence_owner is not null then wf.lease_owner = v.fence_owner else wf.status = v.fence_status end
    ), cmd as (
      insert into workspace_commands (id, workflow_id, owner_email, spreadsheet_id, step, type, payload, idempotency_key)
      select c.id, c.workflow_id, c.owner_email, c.spreadsheet_id, c.step, c.type, c.payload, c.key
      from v join fenced on fenced.id = v.id
      cross join jsonb_to_recordset(coalesce(v.commands, '[]'::jsonb)) as c(${COMMAND_INSERT_RECORD})
      on conflict do nothing
      returning workflow_id
    ), w as (
      update workflows wf set
        status = v.to_status,
        version = wf.version + 1,
        outputs = case when v.set_output then wf.outputs || jsonb_build_object(v.step, v.output) else wf.outputs end,
        attempt = v.next_attempt,
        run_after = case v.sched
          when 'continue' then now()
          when 'compensate' then now()
          -- A wake-up that raced with this park (wake_seq moved since the claim), or a command of
          -- the park that already existed, makes it due now.
          when 'park' then case
            when wf.wake_seq = v.seen_wake_seq and (select count(*) from cmd where cmd.workflow_id = wf.id) = v.command_count then v.until
            else now() end
          when 'release' then v.until
          else null end,
        lease_owner = case when v.sched in ('continue', 'compensate') then v.worker end,
        lease_expires_at = case when v.sched in ('continue', 'compensate') then now() + v.lease_ms * interval '1 millisecond' end,
        compensation_key = case when v.sched = 'compensate' then v.comp_key else wf.compensation_key end,
        form_id = coalesce(v.form_id, wf.form_id),
        submitted_at = coalesce(v.submitted_at, wf.submitted_at),
        failed_step = case when v.set_failed_step then v.failed_step else wf.failed_step end,
        last_error = case when v.set_last_error then v.last_error else wf.last_error end,
        completed_at = case when v.to_status = 'COMPLETED' then now() else wf.completed_at end,
        updated_at = now()
      from v
      where wf.id = v.id and wf.version = v.expected_version
        and case when v.fence_owner is not null then wf.lease_owner = v.fence_owner else wf.status = v.fence_status end
      returning v.idx, wf.id, wf.version, wf.wake_seq
    ), s as (
      insert into step_runs (workflow_id, step, attempt, outcome, input, output, error_category, error, worker_id, started_at, finished_at)
      select w.id, v.step, v.step_attempt, v.outcome, v.input, case when v.set_output then v.output end,
             v.error_category, v.error, v.worker, v.started_at, now()
      from w join v on v.idx = w.idx where v.record_step_run
    ), a as (
      insert into audit_events (workflow_id, type, from_status, to_status, actor, details)
      select w.id, v.audit_type, v.from_status, v.to_status, v.actor, v.audit_details from w join v on v.idx = w.idx where v.audited
    ), o as (
      insert into notification_outbox (id, dedupe_key, workflow_id, channel, kind, recipient, subject, body, status, last_error)
      select r.id, r.dedupe_key, r.workflow_id, r.channel, r.kind, r.recipient, r.subject, r.body, r.status, r.last_error
      from w join v on v.idx = w.idx
      cross join jsonb_to_recordset(coalesce(v.alert, '[]'::jsonb)) as r(${OUTBOX_RECORD})
      on conflict (dedupe_key, channel) do nothing
      returning status
    )
    select w.idx, w.version, w.wake_seq, (${notifyQueuedAlerts}) as alerts_queued,
      (select count(*) from (select pg_notify(${WAKE_CHANNEL.commands}, '') from cmd limit 1) n) as commands_queued
    from w`,
  );
  const out: (CheckpointResult | null)[] = batch.map(() => null);
  for (const r of result) out[Number(r.idx)] = { version: Number(r.version), wakeSeq: Number(r.wake_seq) };
  return out;
}

/** Returns null when the fence failed: the lease was lost or someone else changed the workflow. */
export async function checkpointStep(db: Executor, c: CheckpointInput): Promise<CheckpointResult | null> {
  const [result] = await checkpointSteps(db, [c]);
  return result;
}

/** An outbox row as the JSON the statements read with jsonb_to_recordset(… OUTBOX_RECORD). */
function outboxJson(r: OutboxInsert) {
  return {
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
  };
}

const OUTBOX_RECORD = sql.raw(
  'id text, dedupe_key text, workflow_id text, channel text, kind text, recipient text, subject text, body text, status text, last_error text',
);

/** pg_notify is volatile, so the planner evaluates it; the NOTIFY is delivered at commit (once per transaction). */
const notifyQueuedAlerts = sql`select count(*) from (select pg_notify(${WAKE_CHANNEL.notifications}, '') from o where o.status = 'pending') n`;

/**
 * CTE + select-list fragments that insert outbox rows when the CTE `from` returned a row, and
 * wake the dispatchers at commit. Dedupe on (dedupe_key, channel) as everywhere else.
 */
export function outboxInsertFrom(from: SQL, alert: OutboxInsert[] | undefined): { cte: SQL; select: SQL } {
  if (!alert || alert.length === 0) return { cte: sql``, select: sql`` };
  return {
    cte: sql`, o as (
      insert into notification_outbox (id, dedupe_key, workflow_id, channel, kind, recipient, subject, body, status, last_error)
      select v.id, v.dedupe_key, v.workflow_id, v.channel, v.kind, v.recipient, v.subject, v.body, v.status, v.last_error
      from (select 1 from ${from} limit 1) f
      cross join jsonb_to_recordset(${JSON.stringify(alert.map(outboxJson))}::jsonb) as v(${OUTBOX_RECORD})
      on conflict (dedupe_key, channel) do nothing
      returning status
    )`,
    select: sql`, (${notifyQueuedAlerts}) as alerts_queued`,
  };
}

/** Is this worker still the lease holder at this version? Extends the lease when it is. */
export async function holdsWorkflowLease(db: Executor, id: string, workerId: string, version: number, leaseMs: number): Promise<boolean> {
  const held = await db
    .update(workflows)
    .set({ leaseExpiresAt: msFromNow(leaseMs) })
    .where(and(heldBy(WORKFLOW_LEASES, id, workerId), eq(workflows.version, version)))
    .returning({ id: workflows.id });
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
