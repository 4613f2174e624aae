import { isStepStatus, type WorkflowStatus } from '../../shared/workflow-status';
import { getWorkflow } from '../db/repositories/workflow-repository';
import { log } from '../observability/logger';
import { errorCategory, errorText, publicErrorText } from '../observability/error-text';
import { checkpointStep } from './checkpoints';
import type { EngineDeps } from './engine-deps';

/**
 * An unhandled error in the HTTP layer touched a running workflow: park it in NEEDS_ATTENTION
 * with an operator alert, through the engine's checkpoint statement (fenced by version, the
 * alert in the same statement). Writing at the version read voids any engine lease: the lease
 * holder's next checkpoint is fenced off. Returns false when there was nothing to do or the
 * workflow moved meanwhile.
 */
export async function parkAfterUnhandledError(
  deps: Pick<EngineDeps, 'database' | 'outboxRows'>,
  workflowId: string,
  error: Error,
  correlationId: string,
): Promise<boolean> {
  const wf = await getWorkflow(deps.database.db, workflowId);
  const status = wf?.status as WorkflowStatus | undefined;
  if (!wf || !status || !isStepStatus(status)) return false;
  // Never the raw message: it may carry SQL, parameters or someone's data (the detail is in the server log).
  const message = publicErrorText(error, correlationId);
  let alert;
  try {
    alert = deps.outboxRows?.({
      kind: 'needs_attention',
      workflowId,
      key: `unhandled:${correlationId}`,
      audience: 'operators',
      subject: `Workflow ${workflowId} needs attention (unhandled error)`,
      text: `An unhandled error touched workflow ${workflowId}: ${message}. The detail is in the server log under this correlation id.`,
    });
  } catch (err) {
    log().error({ workflow_id: workflowId, err: errorText(err) }, 'could not render notification; state change written without it');
  }
  const written = await checkpointStep(deps.database.db, {
    workflowId,
    workerId: 'http-error-handler',
    actor: 'http-error-handler',
    fence: 'version',
    recordStepRun: false,
    expectedVersion: wf.version,
    from: status,
    to: 'NEEDS_ATTENTION',
    step: status,
    stepAttempt: Math.max(1, wf.attempt),
    nextAttempt: wf.attempt,
    outcome: 'failed',
    startedAt: new Date(),
    failedStep: status,
    lastError: message,
    schedule: { kind: 'stop' },
    auditType: 'unhandled_error',
    auditDetails: { correlationId, category: errorCategory(error), error: errorText(error) },
    alert,
  });
  return written !== null;
}
