import type { CommandCompletion } from '../../shared/contracts/commands';
import { contextFromTraceparent, linkToActiveSpan, recordSpan, tracingEnabled, workflowContext } from './tracing';

/**
 * The Apps Script round trip in the workflow's trace. A claim records the command's wait in the
 * queue as a span ("apps_script command <type>", from enqueue to claim) and hands its traceparent
 * to the add-on; the add-on sends it back with the result, and the result span is its child,
 * linked to the HTTP request that delivered it. Attributes: ids and the command type only.
 */

interface CommandLike {
  id: string;
  workflowId: string;
  type: string;
  step: string;
  attempts: number;
  createdAt: Date;
}

/** Records the claimed command's span; returns the traceparent the add-on must echo. */
export function commandClaimSpan(row: CommandLike): string | undefined {
  if (!tracingEnabled()) return undefined;
  return recordSpan(`apps_script command ${row.type}`, {
    parent: workflowContext(row.workflowId),
    startTime: row.createdAt,
    attributes: { ...commandAttributes(row), 'command.attempt': row.attempts },
  });
}

/** Records the result's arrival as a child of the span the add-on echoed (or of the workflow root). */
export function recordCommandResult(row: CommandLike, completion: CommandCompletion, duplicate: boolean): void {
  if (!tracingEnabled()) return;
  const echoed = contextFromTraceparent(completion.traceparent);
  const now = new Date();
  recordSpan(`apps_script result ${row.type}`, {
    parent: echoed ?? workflowContext(row.workflowId),
    // Also a link to the inbound request span (the active one) that carried the result.
    links: linkToActiveSpan(),
    startTime: now,
    endTime: now,
    attributes: {
      ...commandAttributes(row),
      'command.ok': 'result' in completion,
      'command.duplicate': duplicate,
      'command.trace_echoed': echoed !== undefined,
    },
  });
}

function commandAttributes(row: CommandLike) {
  return { 'workflow.id': row.workflowId, 'workflow.step': row.step, 'command.id': row.id, 'command.type': row.type };
}

/** `{ traceparent }` when there is one: the claimed command carries it only when tracing is on. */
export function traceparentField(traceparent: string | undefined): { traceparent?: string } {
  return traceparent ? { traceparent } : {};
}
