import type { StepStatus } from '../../../shared/workflow-status';
import type { WorkflowRow } from '../../db/repositories/workflow-repository';
import type { EngineDeps } from '../engine-deps';
import { PermanentError, TransientError } from '../../errors';
import {
  cancelUnfinishedItems,
  ensureFanoutItems,
  type FanoutItemRow,
  type FanoutItemSpec,
  type FanoutService,
} from '../fanout/fanout-store';

/**
 * Shared by steps 9 and 10: make sure one child item per course exists, then report whether all
 * finished. The fan-out worker does the PresGen calls and wakes the workflow when they are done.
 */
export async function awaitFanout(
  deps: EngineDeps,
  workflow: WorkflowRow,
  step: StepStatus,
  service: FanoutService,
  specs: FanoutItemSpec[],
): Promise<FanoutItemRow[] | null> {
  const items = await ensureFanoutItems(deps.database.db, workflow.id, step, service, specs);
  const failed = items.find((i) => i.status === 'failed' || i.status === 'cancelled');
  if (failed) {
    const message = `${service} job for course ${failed.itemIndex} failed: ${failed.lastError ?? failed.status}`;
    // Transient failures that spent the budget need a person (NEEDS_ATTENTION), not compensation.
    if ((failed.result as { failure?: string } | null)?.failure === 'retry_budget_spent') {
      throw new TransientError(message, { reason: 'retry_budget_spent', budgetSpent: true });
    }
    throw new PermanentError(message, { reason: 'job_failed' });
  }
  return items.every((i) => i.status === 'succeeded') ? items : null;
}

/** Compensation of steps 9/10: stop every unfinished job, at PresGen too. Idempotent. */
export async function cancelFanout(deps: EngineDeps, workflow: WorkflowRow): Promise<Record<string, unknown> | void> {
  const cancelled = await cancelUnfinishedItems(deps.database.db, workflow.id);
  if (cancelled.length === 0) return;
  const jobs = cancelled.filter((i) => i.externalJobId);
  await Promise.allSettled(
    jobs.map((i) => (i.service === 'presgen_core' ? deps.presgen.core : deps.presgen.avatar).cancel(i.externalJobId!)),
  );
  return { action: 'presgen_jobs_cancelled', items: cancelled.length, externalJobs: jobs.map((j) => j.externalJobId) };
}
