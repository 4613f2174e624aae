import { randomUUID } from 'node:crypto';
import type { CreateWorkflowRequest } from '../../shared/contracts/api';
import { ReadResponsesResult } from '../../shared/contracts/commands';
import { isTerminal, nextStep, SKIPPABLE_STEPS, type StepStatus, type WorkflowStatus } from '../../shared/workflow-status';
import {
  appendAuditEvent,
  createWorkflow,
  getWorkflow,
  IllegalTransitionError,
  updateWorkflowStatus,
  VersionConflictError,
  type WorkflowRow,
} from '../db/repositories/workflow-repository';
import type { Instructor } from '../http/auth/google-id-token';
import { log } from '../observability/logger';
import { recordFormSubmission } from '../workspace/form-submissions';
import type { CommandRow } from '../workspace/command-queue';
import { rearmForRetry } from './retry-rearm';
import type { EngineDeps } from './engine-deps';
import type { StepHandler } from './step-registry';
import { spreadsheetOf } from './steps/await-commands';
import { WAKE_CHANNEL } from '../leased-work/wake-channel';
import type { FormSubmission } from '../../shared/contracts/commands';

/**
 * What people do to workflows (instructors through the add-on, operators through the admin API):
 * create, cancel, retry, resume, skip, complete by hand. Each is a compare-and-set on the
 * workflow version, checked against the transition table and audited with who and why.
 */

export class WorkflowActionError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class WorkflowService {
  constructor(
    private readonly deps: EngineDeps,
    private readonly steps: ReadonlyMap<StepStatus, StepHandler>,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  async create(instructor: Instructor, request: CreateWorkflowRequest): Promise<{ workflow: WorkflowRow; created: boolean }> {
    const profiles = await this.deps.assessment.listProfiles();
    if (!profiles.some((p) => p.id === request.certificationId)) {
      throw new WorkflowActionError(
        400,
        'unknown_certification',
        `body.certificationId: unknown certification "${request.certificationId}"`,
      );
    }
    const result = await createWorkflow(this.db, { ownerEmail: instructor.email, ownerSub: instructor.sub, request });
    if (result.created) await this.deps.database.notify(WAKE_CHANNEL.workflows, result.workflow.id);
    return result;
  }

  /** Instructors act on their own workflows only; operators (owner undefined) on any. */
  async load(id: string, owner?: Instructor): Promise<WorkflowRow> {
    const wf = await getWorkflow(this.db, id);
    if (!wf) throw new WorkflowActionError(404, 'not_found', 'workflow not found');
    if (owner && wf.ownerEmail !== owner.email)
      throw new WorkflowActionError(403, 'forbidden', 'this workflow belongs to another instructor');
    return wf;
  }

  async cancel(id: string, actor: { owner?: Instructor; name: string }, reason?: string): Promise<WorkflowRow> {
    const wf = await this.load(id, actor.owner);
    // The fenced CANCELLED write marks compensation due; an engine claims it and undoes the
    // external effects under its lease (see compensation.ts), so a crash here loses nothing.
    const updated = await this.transition(
      wf,
      'CANCELLED',
      actor.name,
      'cancelled',
      { reason: reason ?? null },
      {
        runAfter: new Date(),
        compensationKey: `cancelled:${wf.version + 1}`,
      },
    );
    await this.deps.database.notify(WAKE_CHANNEL.workflows, id);
    return updated;
  }

  /** Re-runs from `fromStep` (default: the failed step) with a fresh attempt budget. */
  async retry(id: string, actor: { owner?: Instructor; name: string }, fromStep?: StepStatus, reason?: string): Promise<WorkflowRow> {
    const wf = await this.load(id, actor.owner);
    const step = fromStep ?? (wf.failedStep as StepStatus | null);
    if (!step) throw new WorkflowActionError(409, 'not_retryable', `a ${wf.status} workflow has no failed step to retry`);
    const updated = await this.transition(
      wf,
      step,
      actor.name,
      'retry',
      { fromStep: step, reason: reason ?? null },
      {
        runAfter: new Date(),
        attempt: 1,
        failedStep: null,
        lastError: null,
      },
    );
    const rearmed = await rearmForRetry(this.db, id, step);
    if (rearmed.items + rearmed.commands > 0) {
      await appendAuditEvent(this.db, {
        workflowId: id,
        type: 'retry_rearmed',
        actor: actor.name,
        details: { fromStep: step, ...rearmed },
      });
    }
    await this.deps.database.notify(WAKE_CHANNEL.workflows, id);
    await this.deps.database.notify(WAKE_CHANNEL.fanout);
    return updated;
  }

  /** Operator: skip a non-critical failed step (e.g. avatar videos) with a reason. */
  async skip(id: string, operator: string, step: StepStatus, reason: string): Promise<WorkflowRow> {
    const wf = await this.load(id);
    if (!SKIPPABLE_STEPS.includes(step))
      throw new WorkflowActionError(400, 'not_skippable', `body.step: ${step} is critical and cannot be skipped`);
    const current = wf.status === 'NEEDS_ATTENTION' || wf.status === 'FAILED' ? wf.failedStep : wf.status;
    if (current !== step) throw new WorkflowActionError(409, 'wrong_step', `the workflow is not stopped at ${step}`);
    const handler = this.steps.get(step);
    if (handler?.compensate) await handler.compensate({ workflow: wf, deps: this.deps });
    const next = nextStep(step);
    const outputs = { ...(wf.outputs as Record<string, unknown>), [step]: { skipped: true, reason, videos: [] } };
    const updated = await this.transition(
      wf,
      next,
      operator,
      'skip',
      { step, reason },
      {
        outputs,
        runAfter: new Date(),
        attempt: 1,
        failedStep: null,
        lastError: null,
      },
    );
    await this.deps.database.notify(WAKE_CHANNEL.workflows, id);
    return updated;
  }

  /** Operator: mark done by hand (the deliverables were produced another way). */
  async completeManually(id: string, operator: string, reason: string): Promise<WorkflowRow> {
    const wf = await this.load(id);
    return this.transition(wf, 'COMPLETED', operator, 'manual_completion', { reason }, { runAfter: null, completedAt: new Date() });
  }

  /** Resume a workflow waiting for its learner: with a submission, or by reading the response Sheet. */
  async resume(
    id: string,
    owner: Instructor | undefined,
    body: { sheetUrl: string } | { submission: FormSubmission },
  ): Promise<WorkflowRow> {
    const wf = await this.load(id, owner);
    if (isTerminal(wf.status as WorkflowStatus)) throw new WorkflowActionError(409, 'not_resumable', `workflow is ${wf.status}`);
    if (!wf.formId) throw new WorkflowActionError(409, 'not_resumable', 'the assessment form does not exist yet');
    if ('submission' in body) {
      if (body.submission.formId !== wf.formId)
        throw new WorkflowActionError(400, 'wrong_form', "body.submission.formId: not this workflow's form");
      await recordFormSubmission(this.deps.database, body.submission, { workflowId: wf.id });
    } else {
      // Apps Script reads the Sheet; its result is turned into submissions by onCommandCompleted.
      await this.deps.commands.ensureCommands(
        { id: wf.id, ownerEmail: wf.ownerEmail, spreadsheetId: spreadsheetOf(wf) },
        'AWAITING_COMPLETION',
        [{ name: `resume:${randomUUID()}`, type: 'read_responses', payload: { spreadsheetUrl: body.sheetUrl, formId: wf.formId } }],
      );
    }
    return (await getWorkflow(this.db, id))!;
  }

  /** Hook of the command queue: a `read_responses` result feeds the submissions it found. */
  async onCommandCompleted(command: CommandRow): Promise<void> {
    if (command.type !== 'read_responses' || command.status !== 'succeeded') return;
    const { submissions } = ReadResponsesResult.parse(command.result);
    const wf = await getWorkflow(this.db, command.workflowId);
    for (const submission of submissions.filter((s) => s.formId === wf?.formId)) {
      await recordFormSubmission(this.deps.database, submission, { workflowId: command.workflowId });
    }
    log().info({ workflow_id: command.workflowId, found: submissions.length }, 'responses read back from the Sheet');
  }

  private async transition(
    wf: WorkflowRow,
    to: WorkflowStatus,
    actor: string,
    eventType: string,
    details: Record<string, unknown>,
    patch: Parameters<typeof updateWorkflowStatus>[1]['patch'],
  ): Promise<WorkflowRow> {
    if (wf.compensationKey) {
      throw new WorkflowActionError(
        409,
        'compensating',
        'the workflow is still undoing external effects of its failure or cancel; try again shortly',
      );
    }
    try {
      return await updateWorkflowStatus(this.db, { id: wf.id, expectedVersion: wf.version, to, actor, eventType, details, patch });
    } catch (err) {
      if (err instanceof IllegalTransitionError) {
        throw new WorkflowActionError(409, 'illegal_transition', `cannot go from ${err.from} to ${err.to}`);
      }
      if (err instanceof VersionConflictError) {
        throw new WorkflowActionError(409, 'conflict', 'the workflow changed meanwhile; reload and try again');
      }
      throw err;
    }
  }
}
