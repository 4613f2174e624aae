import { STEP_STATUSES, type StepStatus } from '../../shared/workflow-status';
import { appendAuditEvent, type WorkflowRow } from '../db/repositories/workflow-repository';
import { log } from '../observability/logger';
import type { EngineDeps } from './engine-deps';
import type { StepHandler } from './step-registry';
import { errorText } from '../observability/error-text';

/**
 * Undoes what a workflow created outside the database, newest step first: cancels outstanding
 * PresGen jobs, trashes the Drive items (through a workspace command, since only Apps Script can).
 * Runs on a permanent failure and on cancel. Every action is idempotent and audited, so running
 * it twice (a crash, a retried cancel) does nothing new.
 */
export async function compensateWorkflow(
  deps: EngineDeps,
  steps: ReadonlyMap<StepStatus, StepHandler>,
  workflow: WorkflowRow,
  opts: { actor: string; reason: string; upTo?: StepStatus },
): Promise<void> {
  const last = opts.upTo ? STEP_STATUSES.indexOf(opts.upTo) : STEP_STATUSES.length - 1;
  for (let i = last; i >= 0; i--) {
    const handler = steps.get(STEP_STATUSES[i]);
    if (!handler?.compensate) continue;
    try {
      const details = await handler.compensate({ workflow, deps });
      if (details) {
        await appendAuditEvent(deps.database.db, {
          workflowId: workflow.id,
          type: 'compensation',
          actor: opts.actor,
          details: { step: handler.status, reason: opts.reason, ...details },
        });
      }
    } catch (err) {
      // A compensation that fails is recorded and left for an operator; it must not block the failure path.
      log().error({ workflow_id: workflow.id, step: handler.status, err: errorText(err) }, 'compensation failed');
      await appendAuditEvent(deps.database.db, {
        workflowId: workflow.id,
        type: 'compensation_failed',
        actor: opts.actor,
        details: { step: handler.status, error: errorText(err).slice(0, 500) },
      });
    }
  }
}
