import { randomUUID } from 'node:crypto';
import {
  canTransition,
  isStepStatus,
  nextStep,
  STEP_STATUSES,
  WORKFLOW_DEFINITION_VERSION,
  type StepStatus,
  type WorkflowStatus,
} from '../../shared/workflow-status';
import type { WorkflowRow } from '../db/repositories/workflow-repository';
import { recordIllegalTransition } from '../db/repositories/workflow-repository';
import { log, withLogContext } from '../observability/logger';
import { observeActivePhase, observeStepDuration, stepRetries, workflowTransitions } from '../observability/metrics';
import { leaseNextDueWorkflows, msUntilWorkflowDue, releaseWorkflowLease, renewWorkflowLeases, type CheckpointInput } from './checkpoints';
import { CheckpointBatcher } from './checkpoint-batcher';
import { runCompensation, type CompensationFaultPoint } from './compensation';
import type { EngineDeps, WorkflowNotification } from './engine-deps';
import type { OutboxInsert } from '../notifications/outbox-store';
import type { CommandInsert } from '../workspace/command-queue';
import { classifyError, PermanentError, type ErrorCategory } from '../errors';
import { backoffDelayMs } from '../../shared/backoff';
import type { StepHandler } from './step-registry';
import { WAKE_CHANNEL } from '../leased-work/wake-channel';
import { WorkerLoop } from '../leased-work/worker-loop';
import { errorText } from '../observability/error-text';
import { annotateActiveSpan, withSpan } from '../observability/tracing';
import { recordWaiting, recordWorkflowEnd, stepSpanOptions } from '../observability/workflow-spans';

/**
 * The durable workflow engine. A process claims due workflows with a lease and runs each one
 * step after step in-process (no hand-off through the queue between steps), checkpointing every
 * step's output in the statement that moves the state. It stops at a park (waiting for Apps
 * Script, a learner, PresGen), at a retry backoff, or at a terminal state. Leases are renewed by
 * a heartbeat; a crashed process's workflows are claimed by another once their lease expires,
 * and every write is fenced by version so the loser of a race writes nothing.
 */

export interface WorkflowEngineOptions {
  deps: EngineDeps;
  steps: ReadonlyMap<StepStatus, StepHandler>;
  workerId?: string;
  /** Workflows this process runs at once. */
  concurrency: number;
  /** Most checkpoints of concurrent segments written by one statement (default 200; 1 = each alone). */
  checkpointBatchMax?: number;
  leaseMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Longest idle sleep between due-time checks (safety net for a missed notification). */
  idleMaxMs?: number;
  /**
   * Fault injection for tests: called between the writes of the failure path; throwing simulates
   * a crash there (the segment is abandoned, its lease expires, another worker takes over).
   */
  fault?: (point: EngineFaultPoint, workflow: WorkflowRow, step?: StepStatus) => Promise<void> | void;
}

export type EngineFaultPoint = 'after-failure-checkpoint' | CompensationFaultPoint;

export class WorkflowEngine {
  readonly workerId: string;
  private readonly active = new Map<string, Promise<void>>();
  private readonly loop: WorkerLoop;
  /** Checkpoints of concurrent segments share a statement (group commit). */
  private readonly checkpoints: CheckpointBatcher;

  constructor(private readonly opts: WorkflowEngineOptions) {
    this.workerId = opts.workerId ?? `engine-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.checkpoints = new CheckpointBatcher(() => this.db, opts.checkpointBatchMax);
    this.loop = new WorkerLoop({
      name: 'workflow engine',
      round: () => this.claimRound(),
      idleMaxMs: opts.idleMaxMs ?? 1000,
      errorBackoffMs: 500,
      listen: { database: opts.deps.database, channel: WAKE_CHANNEL.workflows },
      heartbeat: {
        everyMs: Math.max(50, Math.floor(opts.leaseMs / 3)),
        renew: () => renewWorkflowLeases(this.db, this.workerId, [...this.active.keys()], opts.leaseMs),
      },
    });
  }

  private get db() {
    return this.opts.deps.database.db;
  }

  private get running(): boolean {
    return this.loop.isRunning;
  }

  async start(): Promise<void> {
    await this.loop.start();
    log().info({ worker_id: this.workerId, concurrency: this.opts.concurrency }, 'workflow engine started');
  }

  /** Finishes the steps in progress, then releases every lease so another replica can continue at once. */
  async stop(): Promise<void> {
    if (!this.running) return;
    await this.loop.stop(() => Promise.allSettled(this.active.values()));
    log().info({ worker_id: this.workerId }, 'workflow engine stopped');
  }

  /** Something became due (in this process): skip the idle sleep. */
  notify(): void {
    this.loop.notify();
  }

  /** Claims as many due workflows as there are free slots and starts them; returns when more is due. */
  private async claimRound(): Promise<number | null> {
    const free = this.opts.concurrency - this.active.size;
    // No free slot: a segment's end wakes the loop.
    if (free <= 0) return null;
    const claimed = await leaseNextDueWorkflows(this.db, this.workerId, free, this.opts.leaseMs);
    for (const wf of claimed) this.launch(wf);
    if (claimed.length > 0) return 0;
    return msUntilWorkflowDue(this.db);
  }

  private launch(wf: WorkflowRow): void {
    const segment = this.runSegment(wf)
      .catch((err) => log().error({ workflow_id: wf.id, err: errorText(err) }, 'workflow segment crashed; lease will expire'))
      .finally(() => {
        this.active.delete(wf.id);
        this.loop.notify();
      });
    this.active.set(wf.id, segment);
  }

  /** Runs consecutive steps of one claimed workflow until it parks, retries later or ends. */
  private async runSegment(claimed: WorkflowRow): Promise<void> {
    let wf: WorkflowRow | null = claimed;
    let entered = false;
    recordWaiting(claimed);
    while (wf) {
      if (!this.running) return this.releaseLease(wf);
      wf = await this.runStep(wf, entered);
      // Every later step of this segment was entered by the checkpoint just written.
      entered = true;
    }
  }

  private releaseLease(wf: WorkflowRow): Promise<void> {
    return releaseWorkflowLease(this.db, wf.id, this.workerId, wf.version);
  }

  private async runStep(wf: WorkflowRow, entered: boolean): Promise<WorkflowRow | null> {
    const status = wf.status as WorkflowStatus;
    if (wf.compensationKey) {
      await withLogContext({ workflow_id: wf.id, step: status }, () =>
        runCompensation({
          deps: this.opts.deps,
          steps: this.opts.steps,
          workflow: wf,
          workerId: this.workerId,
          leaseMs: this.opts.leaseMs,
          fault: this.opts.fault,
        }),
      );
      return null;
    }
    if (!isStepStatus(status)) {
      await this.releaseLease(wf);
      return null;
    }
    if (wf.definitionVersion !== WORKFLOW_DEFINITION_VERSION) {
      return this.parkForOperator(
        wf,
        'definition_version',
        `started on workflow definition v${wf.definitionVersion}; this deploy runs v${WORKFLOW_DEFINITION_VERSION}, whose step list may differ, so it is not continued automatically (retry it from a step of the new definition, or cancel it)`,
      );
    }
    const handler = this.opts.steps.get(status);
    if (!handler) return this.parkForOperator(wf, 'no_handler', `no handler registered for step ${status} in this deploy`);
    const attempt = Math.max(1, wf.attempt);
    const startedAt = new Date();
    return withLogContext({ workflow_id: wf.id, step: status, attempt }, () =>
      withSpan(`step ${status}`, stepSpanOptions(wf.id, status, attempt), async () => {
        let input: unknown;
        try {
          input = handler.input.parse(handler.selectInput(wf));
          const ctx = { workflow: wf, input, attempt, deps: this.opts.deps, entered, commandsOnPark: [] as CommandInsert[] };
          const result = await handler.run(ctx);
          if (result.kind === 'park') {
            await this.checkpoint(wf, {
              to: status,
              outcome: 'parked',
              nextAttempt: attempt,
              input,
              startedAt,
              schedule: { kind: 'park', until: result.until, seenWakeSeq: wf.wakeSeq },
              commands: ctx.commandsOnPark,
            });
            log().debug({ reason: result.reason }, 'step parked');
            return null;
          }
          if (result.kind === 'transition') {
            if (!canTransition(status, result.to)) {
              await recordIllegalTransition(this.db, wf.id, status, result.to, this.workerId, { reason: result.reason });
              throw new PermanentError(`step asked for illegal transition ${status} -> ${result.to}`, { reason: 'illegal_transition' });
            }
            await this.checkpoint(wf, {
              to: result.to,
              outcome: 'succeeded',
              nextAttempt: 1,
              input,
              startedAt,
              schedule: { kind: 'stop' },
              auditDetails: { reason: result.reason },
            });
            return null;
          }
          const output = parseOutput(handler, result.output);
          const to = nextStep(status);
          const written = await this.checkpoint(wf, {
            to,
            outcome: 'succeeded',
            nextAttempt: 1,
            input,
            output,
            startedAt,
            schedule: to === 'COMPLETED' ? { kind: 'stop' } : { kind: 'continue', leaseMs: this.opts.leaseMs },
            formId: result.formId,
            submittedAt: result.submittedAt,
            alert: result.notifications?.flatMap((n) => this.alertRows(n) ?? []),
          });
          if (!written) return null;
          if (to === 'COMPLETED') {
            const submittedAt = result.submittedAt ?? wf.submittedAt;
            if (submittedAt) observeActivePhase((Date.now() - submittedAt.getTime()) / 1000);
            log().info('workflow completed');
            recordWorkflowEnd(wf, 'COMPLETED');
            return null;
          }
          return {
            ...wf,
            status: to,
            version: written.version,
            wakeSeq: written.wakeSeq,
            attempt: 1,
            outputs: { ...(wf.outputs as Record<string, unknown>), [status]: output },
            formId: result.formId ?? wf.formId,
            submittedAt: result.submittedAt ?? wf.submittedAt,
          };
        } catch (err) {
          return this.handleStepError(wf, handler, attempt, startedAt, input, err);
        }
      }),
    );
  }

  /**
   * Transient errors within budget: a fenced retry checkpoint. Otherwise one fenced statement moves
   * the workflow to NEEDS_ATTENTION or FAILED and queues the operators' alert with it; a FAILED
   * workflow that has something to undo keeps the lease with its compensation marked due, and the
   * returned row makes this segment compensate next (another worker does, if this one dies).
   */
  private async handleStepError(
    wf: WorkflowRow,
    handler: StepHandler,
    attempt: number,
    startedAt: Date,
    input: unknown,
    err: unknown,
  ): Promise<WorkflowRow | null> {
    const step = handler.status;
    const error = classifyError(err);
    const message = error.message.slice(0, 2000);
    const policy = handler.retry ?? {};
    const retryable = policy.retryable ? policy.retryable(error) : error.category === 'transient';
    const budgetSpent = error.category === 'transient' && error.budgetSpent;
    if (retryable && !budgetSpent && attempt < (policy.maxAttempts ?? this.opts.maxAttempts)) {
      const retryAfterMs = error.category === 'transient' ? error.retryAfterMs : undefined;
      const delay = backoffDelayMs(attempt, {
        baseMs: policy.baseMs ?? this.opts.retryBaseMs,
        maxMs: policy.maxMs ?? this.opts.retryMaxMs,
        retryAfterMs,
      });
      stepRetries.inc({ step, reason: error.reason });
      log().warn({ reason: error.reason, delayMs: delay, err: message }, 'step failed transiently; retry scheduled');
      await this.checkpoint(wf, {
        to: step,
        outcome: 'retrying',
        nextAttempt: attempt + 1,
        input,
        startedAt,
        errorCategory: error.category,
        error: message,
        lastError: message,
        schedule: { kind: 'release', until: new Date(Date.now() + delay) },
      });
      return null;
    }
    const to: WorkflowStatus = error.category === 'transient' ? 'NEEDS_ATTENTION' : 'FAILED';
    log().error({ reason: error.reason, err: message, to }, to === 'FAILED' ? 'step failed permanently' : 'step retry budget spent');
    const compensationKey = to === 'FAILED' && this.hasCompensation(step) ? `failed:${wf.version + 1}` : null;
    const written = await this.checkpoint(wf, {
      to,
      outcome: 'failed',
      nextAttempt: attempt,
      input,
      startedAt,
      errorCategory: error.category,
      error: message,
      failedStep: step,
      lastError: message,
      schedule: compensationKey ? { kind: 'compensate', leaseMs: this.opts.leaseMs, key: compensationKey } : { kind: 'stop' },
      auditDetails: { reason: error.reason, error: message },
      alert: this.alertRows({
        kind: to === 'FAILED' ? 'workflow_failed' : 'needs_attention',
        workflowId: wf.id,
        key: `${step}:${wf.version + 1}`,
        audience: 'operators',
        subject: `Workflow ${wf.id} ${to === 'FAILED' ? 'failed' : 'needs attention'} at ${step}`,
        text: `Workflow ${wf.id} moved to ${to} at step ${step} (attempt ${attempt}): ${message}`,
      }),
    });
    if (written && to === 'FAILED') recordWorkflowEnd(wf, to, { 'workflow.failed_step': step });
    if (!written || !compensationKey) return null;
    const failed: WorkflowRow = {
      ...wf,
      status: to,
      version: written.version,
      wakeSeq: written.wakeSeq,
      failedStep: step,
      lastError: message,
      compensationKey,
    };
    await this.opts.fault?.('after-failure-checkpoint', failed, step);
    return failed;
  }

  /** A workflow this deploy cannot run: one fenced write parks it for an operator, with the alert saying why. */
  private async parkForOperator(wf: WorkflowRow, reason: string, message: string): Promise<null> {
    const step = wf.status as StepStatus;
    log().error({ workflow_id: wf.id, reason, err: message }, 'workflow cannot run on this deploy; needs attention');
    await this.checkpoint(wf, {
      to: 'NEEDS_ATTENTION',
      outcome: 'failed',
      nextAttempt: Math.max(1, wf.attempt),
      startedAt: new Date(),
      error: message,
      failedStep: step,
      lastError: message,
      schedule: { kind: 'stop' },
      auditDetails: { reason, error: message },
      alert: this.alertRows({
        kind: 'needs_attention',
        workflowId: wf.id,
        key: `${reason}:${step}:${wf.version + 1}`,
        audience: 'operators',
        subject: `Workflow ${wf.id} needs attention at ${step}`,
        text: `Workflow ${wf.id} was parked at step ${step}: ${message}`,
      }),
    });
    return null;
  }

  private hasCompensation(upTo: StepStatus): boolean {
    return STEP_STATUSES.slice(0, STEP_STATUSES.indexOf(upTo) + 1).some((s) => this.opts.steps.get(s)?.compensate);
  }

  /** Outbox rows for an alert; a notification that cannot be rendered must not block the state change. */
  private alertRows(n: WorkflowNotification): OutboxInsert[] | undefined {
    try {
      return this.opts.deps.outboxRows?.(n);
    } catch (err) {
      log().error({ err: errorText(err) }, 'could not render notification; state change written without it');
      return undefined;
    }
  }

  private async checkpoint(
    wf: WorkflowRow,
    c: Omit<CheckpointInput, 'workflowId' | 'workerId' | 'expectedVersion' | 'from' | 'step' | 'stepAttempt' | 'actor'> & {
      errorCategory?: ErrorCategory;
    },
  ) {
    const step = wf.status as StepStatus;
    const written = await withSpan('db checkpoint', { attributes: { 'workflow.id': wf.id, 'db.operation.name': 'checkpoint' } }, () =>
      this.checkpoints.write({
        ...c,
        workflowId: wf.id,
        workerId: this.workerId,
        expectedVersion: wf.version,
        from: step,
        step,
        stepAttempt: Math.max(1, wf.attempt),
        actor: this.workerId,
      }),
    );
    annotateActiveSpan(
      { 'workflow.step.outcome': c.outcome, 'workflow.to': c.to },
      c.outcome === 'failed' || c.outcome === 'retrying' ? (c.errorCategory ?? 'failed') : undefined,
    );
    const seconds = (Date.now() - c.startedAt.getTime()) / 1000;
    observeStepDuration(step, c.outcome, seconds);
    if (!written) {
      log().warn('checkpoint fenced off: lease lost or workflow changed elsewhere; abandoning');
      return null;
    }
    if (c.to !== step) workflowTransitions.inc({ to: c.to });
    return written;
  }
}

function parseOutput(handler: StepHandler, output: unknown): unknown {
  const parsed = handler.output.safeParse(output);
  if (!parsed.success) {
    throw new PermanentError(`step ${handler.status} produced output that violates its contract: ${parsed.error.message}`, {
      reason: 'contract_violation',
    });
  }
  return parsed.data;
}
