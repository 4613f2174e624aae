import type { z } from 'zod';
import type { StepStatus, WorkflowStatus } from '../../shared/workflow-status';
import type { WorkflowRow } from '../db/repositories/workflow-repository';
import type { CommandInsert } from '../workspace/command-queue';
import type { EngineDeps, WorkflowNotification } from './engine-deps';
import type { PermanentError, TransientError } from '../errors';

/**
 * A step is a handler with zod contracts. `run` may be invoked more than once for the same
 * attempt (after a park, after a crash), so everything it does outside the database goes through
 * idempotency keys; the engine checkpoints its output exactly once.
 */

export type StepResult<O> =
  | { kind: 'done'; output: O; formId?: string; submittedAt?: Date; notifications?: WorkflowNotification[] }
  /** Wait: until a time, or (until = null) until an event wakes the workflow. */
  | { kind: 'park'; until: Date | null; reason: string }
  /** Leave the normal path to another legal status (e.g. EXPIRED); no output is checkpointed. */
  | { kind: 'transition'; to: WorkflowStatus; reason: string };

export interface StepContext<I> {
  workflow: WorkflowRow;
  input: I;
  attempt: number;
  deps: EngineDeps;
  /**
   * True when this run follows, in the same segment, the checkpoint that moved the workflow into
   * this step: nothing of this step has been written yet, so there is nothing to read back.
   */
  entered: boolean;
  /**
   * Commands the step's park checkpoint inserts (`awaitCommands` adds them): they exist iff the
   * park was written, and the statement makes the workflow due again at once if any was already
   * there (a re-run after a crash or a retry), so its results are read rather than waited for.
   */
  commandsOnPark: CommandInsert[];
}

/**
 * How a step retries. Defaults come from the engine's configuration (STEP_MAX_ATTEMPTS,
 * RETRY_BASE_MS, RETRY_MAX_MS; transient errors retry, permanent ones do not). Label, skippable
 * and SLA phase are in shared STEP_INFO, where the add-on can read them too.
 */
export interface StepRetryPolicy {
  maxAttempts?: number;
  baseMs?: number;
  maxMs?: number;
  /** Which classified errors are worth another attempt. */
  retryable?: (error: TransientError | PermanentError) => boolean;
}

export interface StepHandler<I = unknown, O = unknown> {
  status: StepStatus;
  retry?: StepRetryPolicy;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  /** Builds the step's input from the workflow (request + earlier checkpoints). */
  selectInput(workflow: WorkflowRow): unknown;
  run(ctx: StepContext<I>): Promise<StepResult<O>>;
  /** Undo external effects of this step (trash files, cancel jobs); idempotent; audited by the caller. */
  compensate?(ctx: { workflow: WorkflowRow; deps: EngineDeps }): Promise<Record<string, unknown> | void>;
}

/** A handler of any input/output types (their contracts are checked by `defineStep`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- input is both read and written, so no narrower type fits every handler
export type AnyStepHandler = StepHandler<any, any>;

/**
 * The step succeeded. `notifications` are queued by the same fenced statement that checkpoints
 * the output: they exist iff the step's success was written.
 */
export const done = <O>(
  output: O,
  extra?: { formId?: string; submittedAt?: Date; notifications?: WorkflowNotification[] },
): StepResult<O> => ({
  kind: 'done',
  output,
  ...extra,
});
export const park = (reason: string, until: Date | null = null): StepResult<never> => ({ kind: 'park', until, reason });

/** Reads a checkpointed output of an earlier step, validated against that step's contract. */
export function outputOf<O>(workflow: WorkflowRow, handler: Pick<StepHandler<unknown, O>, 'status' | 'output'>): O {
  const outputs = workflow.outputs as Record<string, unknown>;
  return handler.output.parse(outputs[handler.status]);
}

export function defineStep<I, O>(handler: StepHandler<I, O>): StepHandler<I, O> {
  return handler;
}
