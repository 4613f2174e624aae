import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, lt, or, sql } from 'drizzle-orm';
import { canTransition, WORKFLOW_DEFINITION_VERSION, type WorkflowStatus } from '../../../shared/workflow-status';
import type { CreateWorkflowRequest } from '../../../shared/contracts/api';
import { auditEvents, stepRuns, workflows } from '../schema';
import { rows, type Executor } from '../client';
import { wakeWorkflowsCte } from '../wake-workflows';
import { illegalTransitions, workflowTransitions } from '../../observability/metrics';

/**
 * Workflow rows, their audit trail and step-run timeline. Every status change goes through
 * `updateWorkflowStatus` (or the engine's checkpoint, which applies the same rules): a
 * compare-and-set on `version`, checked against the transition table, audited in the same
 * transaction.
 */

export type WorkflowRow = typeof workflows.$inferSelect;
export type StepRunRow = typeof stepRuns.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: WorkflowStatus,
    readonly to: WorkflowStatus,
  ) {
    super(`illegal transition ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export class VersionConflictError extends Error {
  constructor(readonly workflowId: string) {
    super(`workflow ${workflowId} changed concurrently (version conflict)`);
    this.name = 'VersionConflictError';
  }
}

export interface CreateWorkflowInput {
  ownerEmail: string;
  ownerSub: string;
  request: CreateWorkflowRequest;
}

/** Creates the workflow (step 1 due now) and its `created` audit event; idempotent on requestId. */
export async function createWorkflow(db: Executor, input: CreateWorkflowInput): Promise<{ workflow: WorkflowRow; created: boolean }> {
  return db.transaction(async (tx) => {
    const id = randomUUID();
    const inserted = await tx
      .insert(workflows)
      .values({
        id,
        ownerEmail: input.ownerEmail,
        ownerSub: input.ownerSub,
        requestId: input.request.requestId ?? null,
        status: 'REQUESTED',
        definitionVersion: WORKFLOW_DEFINITION_VERSION,
        request: input.request,
        runAfter: sql`now()`,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted.length === 0) {
      const [existing] = await tx
        .select()
        .from(workflows)
        .where(and(eq(workflows.ownerEmail, input.ownerEmail), eq(workflows.requestId, input.request.requestId!)));
      return { workflow: existing, created: false };
    }
    await tx.insert(auditEvents).values({
      workflowId: id,
      type: 'created',
      toStatus: 'REQUESTED',
      actor: input.ownerEmail,
      details: { certificationId: input.request.certificationId, courseCount: input.request.courseCount },
    });
    workflowTransitions.inc({ to: 'REQUESTED' });
    return { workflow: inserted[0], created: true };
  });
}

export async function getWorkflow(db: Executor, id: string): Promise<WorkflowRow | undefined> {
  const [row] = await db.select().from(workflows).where(eq(workflows.id, id));
  return row;
}

export interface ListWorkflowsInput {
  ownerEmail?: string;
  status?: WorkflowStatus;
  limit: number;
  cursor?: string;
}

/** Keyset pagination, newest first: the cursor is the last row's (createdAt, id). */
export async function listWorkflows(db: Executor, input: ListWorkflowsInput): Promise<{ items: WorkflowRow[]; nextCursor: string | null }> {
  const conditions = [];
  if (input.ownerEmail) conditions.push(eq(workflows.ownerEmail, input.ownerEmail));
  if (input.status) conditions.push(eq(workflows.status, input.status));
  if (input.cursor) {
    const { at, id } = decodeCursor(input.cursor);
    conditions.push(or(lt(workflows.createdAt, at), and(eq(workflows.createdAt, at), lt(workflows.id, id))));
  }
  const items = await db
    .select()
    .from(workflows)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(workflows.createdAt), desc(workflows.id))
    .limit(input.limit + 1);
  const hasMore = items.length > input.limit;
  const page = hasMore ? items.slice(0, input.limit) : items;
  const last = page[page.length - 1];
  return { items: page, nextCursor: hasMore && last ? encodeCursor(last.createdAt, last.id) : null };
}

export class InvalidCursorError extends Error {}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(at);
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad cursor');
    return { at: date, id };
  } catch {
    throw new InvalidCursorError('cursor is not valid');
  }
}

export interface UpdateStatusInput {
  id: string;
  expectedVersion: number;
  to: WorkflowStatus;
  actor: string;
  /** Audit event type: 'transition', 'cancelled', 'retry', 'skip', 'manual_completion', ... */
  eventType?: string;
  details?: Record<string, unknown>;
  /** Extra column changes applied with the transition. */
  patch?: Partial<Pick<WorkflowRow, 'runAfter' | 'failedStep' | 'lastError' | 'attempt' | 'completedAt' | 'outputs' | 'compensationKey'>>;
}

/**
 * Compare-and-set status change. Illegal transitions are recorded in the audit trail and rejected;
 * a stale version is a conflict (someone else moved the workflow first).
 */
export async function updateWorkflowStatus(db: Executor, input: UpdateStatusInput): Promise<WorkflowRow> {
  const current = await getWorkflow(db, input.id);
  if (!current) throw new Error(`workflow ${input.id} not found`);
  const from = current.status as WorkflowStatus;
  if (!canTransition(from, input.to)) {
    await recordIllegalTransition(db, input.id, from, input.to, input.actor, input.details);
    throw new IllegalTransitionError(from, input.to);
  }
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(workflows)
      .set({
        ...input.patch,
        status: input.to,
        version: sql`${workflows.version} + 1`,
        updatedAt: sql`now()`,
        // A status change by anyone but the lease holder voids the lease: fencing by version does the rest.
        leaseOwner: null,
        leaseExpiresAt: null,
      })
      .where(and(eq(workflows.id, input.id), eq(workflows.version, input.expectedVersion), eq(workflows.status, from)))
      .returning();
    if (!updated) throw new VersionConflictError(input.id);
    await tx.insert(auditEvents).values({
      workflowId: input.id,
      type: input.eventType ?? 'transition',
      fromStatus: from,
      toStatus: input.to,
      actor: input.actor,
      details: input.details ?? null,
    });
    workflowTransitions.inc({ to: input.to });
    return updated;
  });
}

export async function recordIllegalTransition(
  db: Executor,
  workflowId: string,
  from: WorkflowStatus,
  to: WorkflowStatus,
  actor: string,
  details?: Record<string, unknown>,
): Promise<void> {
  illegalTransitions.inc();
  await db.insert(auditEvents).values({
    workflowId,
    type: 'illegal_transition_rejected',
    fromStatus: from,
    toStatus: to,
    actor,
    details: details ?? null,
  });
}

export async function appendAuditEvent(
  db: Executor,
  event: { workflowId: string; type: string; actor: string; fromStatus?: string; toStatus?: string; details?: unknown },
): Promise<void> {
  await db.insert(auditEvents).values({
    workflowId: event.workflowId,
    type: event.type,
    actor: event.actor,
    fromStatus: event.fromStatus ?? null,
    toStatus: event.toStatus ?? null,
    details: event.details ?? null,
  });
}

export async function listAuditEvents(db: Executor, workflowId: string): Promise<AuditEventRow[]> {
  return db.select().from(auditEvents).where(eq(auditEvents.workflowId, workflowId)).orderBy(asc(auditEvents.id));
}

export async function listStepRuns(db: Executor, workflowId: string): Promise<StepRunRow[]> {
  return db.select().from(stepRuns).where(eq(stepRuns.workflowId, workflowId)).orderBy(asc(stepRuns.id));
}

/**
 * Event-driven wake-up: the workflow is due now, and a park racing with this event will not
 * sleep. The NOTIFY goes out at commit of the caller's transaction, so engines wake exactly when
 * the event is visible.
 */
export async function wakeWorkflow(db: Executor, workflowId: string): Promise<boolean> {
  const woken = await rows<{ id: string }>(
    db,
    sql`with ${wakeWorkflowsCte({ from: sql`(select ${workflowId}::text as workflow_id) e`, idColumn: sql`e.workflow_id` })}
        select id, (select count(*) from n) as notified from w`,
  );
  return woken.length > 0;
}

export async function countWorkflowsByStatus(db: Executor): Promise<Record<string, number>> {
  const result = await db
    .select({ status: workflows.status, n: sql<number>`count(*)::int` })
    .from(workflows)
    .groupBy(workflows.status);
  return Object.fromEntries(result.map((r) => [r.status, Number(r.n)]));
}
