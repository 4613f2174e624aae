import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { appendAuditEvent } from '../db/repositories/workflow-repository';
import { presgenSubmissions } from '../db/schema';
import { log } from '../observability/logger';
import { presgenPossibleDuplicates, type ServiceName } from '../observability/metrics';

/**
 * The ledger of submissions to PresGen APIs that offer no idempotency key. Every attempt is a row;
 * an attempt that starts while an earlier one of the same item has an unknown outcome (in flight
 * on a replica that died, or timed out / lost its connection) is a possible duplicate render:
 * counted in `presgen_possible_duplicate_submissions_total` and written to the audit trail.
 * At-least-once is acceptable only if it is visible (docs/runbooks/workflow_failures.md).
 */

export type SubmissionRow = typeof presgenSubmissions.$inferSelect;
export type SubmissionOutcome = 'succeeded' | 'failed' | 'unknown';

export interface SubmissionStart {
  idempotencyKey: string;
  service: ServiceName;
  protocol: string;
  workerId: string;
}

/** `workflowId:step:course` → workflowId (workflow ids never contain ':' but be safe anyway). */
export function workflowIdOfKey(key: string): string {
  const parts = key.split(':');
  return parts.length >= 3 ? parts.slice(0, -2).join(':') : key;
}

export async function beginSubmission(db: Executor, start: SubmissionStart): Promise<{ id: string; possibleDuplicateOf?: string }> {
  const id = randomUUID();
  const workflowId = workflowIdOfKey(start.idempotencyKey);
  const earlier = await db.transaction(async (tx) => {
    // Serialise attempts of one item so two replicas cannot both miss each other's row.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'presgen-submission:' + start.idempotencyKey}))`);
    const unknown = await tx
      .update(presgenSubmissions)
      .set({ outcome: 'superseded', finishedAt: sql`coalesce(${presgenSubmissions.finishedAt}, now())` })
      .where(
        and(eq(presgenSubmissions.idempotencyKey, start.idempotencyKey), inArray(presgenSubmissions.outcome, ['in_flight', 'unknown'])),
      )
      .returning({
        id: presgenSubmissions.id,
        workerId: presgenSubmissions.workerId,
        startedAt: presgenSubmissions.startedAt,
        outcome: presgenSubmissions.outcome,
      });
    await tx.insert(presgenSubmissions).values({
      id,
      idempotencyKey: start.idempotencyKey,
      workflowId,
      service: start.service,
      protocol: start.protocol,
      workerId: start.workerId,
      possibleDuplicateOf: unknown[0]?.id ?? null,
    });
    if (unknown.length > 0) {
      await appendAuditEvent(tx, {
        workflowId,
        type: 'presgen_possible_duplicate',
        actor: start.workerId,
        details: {
          service: start.service,
          protocol: start.protocol,
          item: start.idempotencyKey,
          submission: id,
          earlierAttempts: unknown.map((u) => ({ id: u.id, worker: u.workerId, startedAt: u.startedAt })),
        },
      });
    }
    return unknown;
  });
  if (earlier.length === 0) return { id };
  presgenPossibleDuplicates.inc({ service: start.service });
  log().warn(
    { service: start.service, item: start.idempotencyKey, earlier: earlier.length },
    'PresGen resubmission after an attempt with unknown outcome: possible duplicate render',
  );
  return { id, possibleDuplicateOf: earlier[0].id };
}

export async function finishSubmission(
  db: Executor,
  id: string,
  end: { outcome: SubmissionOutcome; externalId?: string | null; result?: unknown; error?: string },
): Promise<void> {
  await db
    .update(presgenSubmissions)
    .set({
      outcome: end.outcome,
      externalId: end.externalId ?? null,
      result: end.result ?? null,
      error: end.error?.slice(0, 1000) ?? null,
      finishedAt: sql`now()`,
    })
    // A superseded attempt stays superseded (its successor already counted the duplicate) unless
    // it turns out to have rendered: then its result is as good as any and is kept.
    .where(
      and(
        eq(presgenSubmissions.id, id),
        end.outcome === 'succeeded'
          ? inArray(presgenSubmissions.outcome, ['in_flight', 'superseded'])
          : eq(presgenSubmissions.outcome, 'in_flight'),
      ),
    );
}

/** One attempt, by id (the job id a synchronous adapter hands the fan-out worker). */
export async function getSubmission(db: Executor, id: string): Promise<SubmissionRow | undefined> {
  const [row] = await db.select().from(presgenSubmissions).where(eq(presgenSubmissions.id, id));
  return row;
}

export async function listSubmissions(db: Executor, workflowId: string): Promise<SubmissionRow[]> {
  return db.select().from(presgenSubmissions).where(eq(presgenSubmissions.workflowId, workflowId)).orderBy(presgenSubmissions.startedAt);
}
