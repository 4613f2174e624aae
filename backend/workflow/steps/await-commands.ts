import type { StepStatus } from '../../../shared/workflow-status';
import type { WorkflowRow } from '../../db/repositories/workflow-repository';
import { commandInserts, type CommandSpec } from '../../workspace/command-queue';
import type { StepContext } from '../step-registry';
import { PermanentError } from '../../errors';

/** The spreadsheet the instructor's add-on runs in: commands are offered to that add-on. */
export function spreadsheetOf(workflow: WorkflowRow): string | null {
  return (workflow.request as { spreadsheetId?: string }).spreadsheetId ?? null;
}

/**
 * A step's workspace commands: their results when all are done, or `null` (the caller parks). A
 * step entered just now reads nothing; a step that finds its commands missing hands them to its
 * park checkpoint, which inserts them in the statement that parks the workflow. A command Apps
 * Script gave up on is a permanent failure of the step.
 */
export async function awaitCommands(
  ctx: Pick<StepContext<unknown>, 'deps' | 'workflow' | 'entered' | 'commandsOnPark'>,
  step: StepStatus,
  specs: CommandSpec[],
): Promise<Record<string, unknown> | null> {
  const owner = { id: ctx.workflow.id, ownerEmail: ctx.workflow.ownerEmail, spreadsheetId: spreadsheetOf(ctx.workflow) };
  const state = ctx.entered ? ({ state: 'missing' } as const) : await ctx.deps.commands.readCommands(owner, step, specs);
  if (state.state === 'missing') {
    ctx.commandsOnPark.push(...commandInserts(owner, step, specs));
    return null;
  }
  if (state.state === 'pending') return null;
  if (state.state === 'failed') {
    throw new PermanentError(`workspace command ${state.name} failed: ${state.error}`, { reason: 'command_failed' });
  }
  return state.results;
}
