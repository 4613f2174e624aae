import type { StepStatus } from '../../../shared/workflow-status';
import type { WorkflowRow } from '../../db/repositories/workflow-repository';
import type { CommandSpec } from '../../workspace/command-queue';
import type { EngineDeps } from '../engine-deps';
import { PermanentError } from '../../errors';

/** The spreadsheet the instructor's add-on runs in: commands are offered to that add-on. */
export function spreadsheetOf(workflow: WorkflowRow): string | null {
  return (workflow.request as { spreadsheetId?: string }).spreadsheetId ?? null;
}

/**
 * Enqueues a step's workspace commands (once) and returns their results when all are done;
 * `null` means "still waiting" (the caller parks). A command Apps Script gave up on is a
 * permanent failure of the step.
 */
export async function awaitCommands(
  deps: EngineDeps,
  workflow: WorkflowRow,
  step: StepStatus,
  specs: CommandSpec[],
): Promise<Record<string, unknown> | null> {
  const state = await deps.commands.ensureCommands(
    { id: workflow.id, ownerEmail: workflow.ownerEmail, spreadsheetId: spreadsheetOf(workflow) },
    step,
    specs,
  );
  if (state.state === 'pending') return null;
  if (state.state === 'failed') {
    throw new PermanentError(`workspace command ${state.name} failed: ${state.error}`, { reason: 'command_failed' });
  }
  return state.results;
}
