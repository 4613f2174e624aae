import { and, inArray, isNotNull, lt } from 'drizzle-orm';
import type { Database } from '../db/client';
import { workflows } from '../db/schema';
import type { WorkflowNotification } from './engine-deps';
import { startPeriodic } from '../leased-work/worker-loop';
import { ACTIVE_PHASE_STEPS, type WorkflowStatus } from '../../shared/workflow-status';

/**
 * Tells operators when a workflow's active phase (learner submission to deliverables ready) is
 * at risk of missing the SLA, and when it has missed it. One indexed query per sweep; the
 * outbox's dedupe keys make repeated sweeps (and several replicas) send each alert once.
 */

/** The SLA-counted phase (from shared STEP_INFO), plus a workflow stuck there waiting for an operator. */
const ACTIVE_STATUSES: WorkflowStatus[] = [...ACTIVE_PHASE_STEPS, 'NEEDS_ATTENTION'];

export interface SlaWatchOptions {
  database: Database;
  notify: (n: WorkflowNotification) => Promise<void>;
  slaMs: number;
  atRiskRatio: number;
  intervalMs?: number;
}

export async function sweepSla(opts: SlaWatchOptions): Promise<{ atRisk: number; breached: number }> {
  const atRiskBefore = new Date(Date.now() - opts.slaMs * opts.atRiskRatio);
  const rows = await opts.database.db
    .select({ id: workflows.id, submittedAt: workflows.submittedAt, status: workflows.status })
    .from(workflows)
    .where(and(inArray(workflows.status, ACTIVE_STATUSES), isNotNull(workflows.submittedAt), lt(workflows.submittedAt, atRiskBefore)));
  let breached = 0;
  for (const wf of rows) {
    const elapsedMin = Math.round((Date.now() - wf.submittedAt!.getTime()) / 60_000);
    const isBreached = Date.now() - wf.submittedAt!.getTime() > opts.slaMs;
    if (isBreached) breached++;
    await opts.notify({
      kind: isBreached ? 'sla_breached' : 'sla_at_risk',
      workflowId: wf.id,
      key: 'sla',
      audience: 'operators',
      subject: `Workflow ${wf.id} ${isBreached ? 'missed' : 'is at risk of missing'} the ${Math.round(opts.slaMs / 60_000)}-minute SLA`,
      text: `Workflow ${wf.id} is at ${wf.status}, ${elapsedMin} minutes after the learner's submission.`,
    });
  }
  return { atRisk: rows.length - breached, breached };
}

/** Sweeps now and every `intervalMs`; returns a stop function. */
export function startSlaWatch(opts: SlaWatchOptions): () => Promise<void> {
  return startPeriodic({ name: 'SLA watch', everyMs: opts.intervalMs ?? 30_000, run: () => sweepSla(opts) });
}
