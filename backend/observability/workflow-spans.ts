import type { Attributes } from '@opentelemetry/api';
import { recordSpan, recordWorkflowSpan, tracingEnabled, workflowContext, type SpanOptions } from './tracing';

/**
 * The workflow's story as spans, so the engine and the fan-out worker each call one line.
 * Attributes are ids, step names and counts only: no emails, answers, titles or URLs.
 */

interface WorkflowLike {
  id: string;
  status: string;
  attempt: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Options of the span of one step attempt: a child of the workflow's root span. */
export function stepSpanOptions(workflowId: string, step: string, attempt: number): SpanOptions {
  return {
    parent: workflowContext(workflowId),
    attributes: { 'workflow.id': workflowId, 'workflow.step': step, 'workflow.attempt': attempt },
  };
}

/** Options of the span of one fan-out item operation (submit or poll of a PresGen job). */
export function fanoutSpanOptions(item: {
  workflowId: string;
  step: string;
  service: string;
  itemIndex: number;
  attempt: number;
}): SpanOptions {
  return {
    parent: workflowContext(item.workflowId),
    attributes: {
      'workflow.id': item.workflowId,
      'workflow.step': item.step,
      'fanout.service': item.service,
      'fanout.item_index': item.itemIndex,
      'fanout.attempt': item.attempt,
    },
  };
}

/**
 * A workflow claimed by an engine waited since its last checkpoint: for the learner, Apps Script
 * or PresGen (parked), a retry backoff, or in the queue. Recorded as a "waiting" span so the
 * trace shows where the time went; under a millisecond is not worth a span.
 */
export function recordWaiting(wf: WorkflowLike, now = new Date()): void {
  if (!tracingEnabled() || now.getTime() - wf.updatedAt.getTime() < 1) return;
  const kind = wf.attempt === 0 ? 'queued' : wf.attempt > 1 ? 'retry_backoff' : 'parked';
  recordSpan(`waiting ${wf.status}`, {
    parent: workflowContext(wf.id),
    startTime: wf.updatedAt,
    endTime: now,
    attributes: { 'workflow.id': wf.id, 'workflow.step': wf.status, 'workflow.wait': kind },
  });
}

/** The root span, exported when the workflow reaches an end (its children reference it from the start). */
export function recordWorkflowEnd(wf: { id: string; createdAt: Date }, status: string, extra: Attributes = {}): void {
  recordWorkflowSpan(wf.id, wf.createdAt, new Date(), { 'workflow.status': status, ...extra });
}
