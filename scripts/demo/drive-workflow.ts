import type { WorkflowDetail } from '../../shared/contracts/api';
import { STOPPED_STATUSES, type InstructorApi } from './backend-api';

/**
 * Drives a workflow forward from the outside: between emulator executions (never during one:
 * the emulator blocks this thread while it fetches), read the workflow from the backend and, if
 * it is not there yet, let the add-on pump once more.
 */

export interface PumpUntilOptions {
  api: InstructorApi;
  workflowId: string;
  /** One add-on execution that pumps commands (sidebar pumpNow, or the hourly trigger). */
  pump: () => void;
  reached: (wf: WorkflowDetail) => boolean;
  /** What we wait for, for the error message. */
  what: string;
  /** Give up at this time (epoch ms). */
  deadline: number;
  /** Pause between rounds, so the backend gets on with its own steps. */
  pauseMs?: number;
}

export class WorkflowStuckError extends Error {
  constructor(
    message: string,
    readonly workflow: WorkflowDetail | undefined,
  ) {
    super(message);
    this.name = 'WorkflowStuckError';
  }
}

export async function pumpUntil(opts: PumpUntilOptions): Promise<WorkflowDetail> {
  let last: WorkflowDetail | undefined;
  for (;;) {
    last = await opts.api.getWorkflow(opts.workflowId);
    if (opts.reached(last)) return last;
    if (STOPPED_STATUSES.has(last.status)) {
      throw new WorkflowStuckError(
        `workflow stopped at ${last.status} while waiting for ${opts.what}${last.lastError ? `: ${last.lastError}` : ''}`,
        last,
      );
    }
    if (Date.now() > opts.deadline)
      throw new WorkflowStuckError(`gave up waiting for ${opts.what}; the workflow is at ${last.status}`, last);
    opts.pump();
    await new Promise((resolve) => setTimeout(resolve, opts.pauseMs ?? 100));
  }
}

export const atStatus =
  (...statuses: string[]) =>
  (wf: WorkflowDetail) =>
    statuses.includes(wf.status);
