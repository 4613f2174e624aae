import { STEP_STATUSES, type StepStatus, type WorkflowStatus } from '../../shared/workflow-status';
import type { WorkflowRow } from '../db/repositories/workflow-repository';
import { log } from '../observability/logger';
import { errorText } from '../observability/error-text';
import { compensatedSteps, finishCompensation, holdsWorkflowLease, recordCompensationStep, type CheckpointResult } from './checkpoints';
import type { EngineDeps } from './engine-deps';
import type { StepHandler } from './step-registry';

/**
 * Undoes what a workflow created outside the database, newest step first: cancels outstanding
 * PresGen jobs, trashes the Drive items (through a workspace command, since only Apps Script can).
 *
 * It runs only after the fenced write that made the workflow FAILED or CANCELLED and set its
 * `compensation_key`, and only under the engine's lease: before each step's undo the lease is
 * checked (and extended) at the workflow's version, so a worker that lost the workflow undoes
 * nothing. Each compensated step is audited under the key; a run resumed after a crash skips the
 * steps already audited, and the undo actions themselves are idempotent. The fenced finish
 * clears the key; until then the workflow stays claimable, so it never lacks a next move.
 */

export type CompensationFaultPoint = 'before-compensate-step' | 'after-compensate-step' | 'before-compensation-finish';

export interface CompensationRun {
  deps: EngineDeps;
  steps: ReadonlyMap<StepStatus, StepHandler>;
  workflow: WorkflowRow;
  workerId: string;
  leaseMs: number;
  /** Test hook: throwing here simulates a crash at that point. */
  fault?: (point: CompensationFaultPoint, workflow: WorkflowRow, step?: StepStatus) => Promise<void> | void;
}

/** The last step whose effects are undone: the failed step for FAILED, every step for CANCELLED. */
function lastStepToUndo(wf: WorkflowRow): number {
  const failed = wf.failedStep as StepStatus | null;
  return wf.status === 'FAILED' && failed ? STEP_STATUSES.indexOf(failed) : STEP_STATUSES.length - 1;
}

/** Returns the new version when compensation finished, null when the lease was lost (nothing more done). */
export async function runCompensation(run: CompensationRun): Promise<CheckpointResult | null> {
  const { deps, workflow: wf, workerId } = run;
  const key = wf.compensationKey;
  if (!key) return null;
  const db = deps.database.db;
  const already = await compensatedSteps(db, wf.id, key);
  for (let i = lastStepToUndo(wf); i >= 0; i--) {
    const handler = run.steps.get(STEP_STATUSES[i]);
    if (!handler?.compensate || already.has(handler.status)) continue;
    if (!(await holdsWorkflowLease(db, wf.id, workerId, wf.version, run.leaseMs))) return fencedOff(wf);
    await run.fault?.('before-compensate-step', wf, handler.status);
    let type: 'compensation' | 'compensation_failed' = 'compensation';
    let details: Record<string, unknown> | void;
    try {
      details = await handler.compensate({ workflow: wf, deps });
    } catch (err) {
      // A compensation that fails is recorded and left for an operator; it must not block the failure path.
      log().error({ workflow_id: wf.id, step: handler.status, err: errorText(err) }, 'compensation failed');
      type = 'compensation_failed';
      details = { error: errorText(err).slice(0, 500) };
    }
    if (details) {
      const reason = wf.lastError ?? wf.status;
      const recorded = await recordCompensationStep(db, {
        workflowId: wf.id,
        workerId,
        version: wf.version,
        key,
        type,
        details: { step: handler.status, reason, ...details },
      });
      if (!recorded) return fencedOff(wf);
    }
    await run.fault?.('after-compensate-step', wf, handler.status);
  }
  await run.fault?.('before-compensation-finish', wf);
  const finished = await finishCompensation(db, {
    workflowId: wf.id,
    workerId,
    version: wf.version,
    key,
    status: wf.status as WorkflowStatus,
  });
  return finished ?? fencedOff(wf);
}

function fencedOff(wf: WorkflowRow): null {
  log().warn({ workflow_id: wf.id }, 'compensation fenced off: lease lost or workflow changed elsewhere; abandoning');
  return null;
}
