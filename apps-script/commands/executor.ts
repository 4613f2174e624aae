import {
  COMMAND_CONTRACTS,
  type ClaimedCommand,
  type ClaimedCommandOf,
  type CommandResult,
  type CommandType,
} from '../../shared/contracts/commands';
import { isQuotaError } from '../quota';
import { errorMessage, log, redact } from '../runtime/log';
import type { CommandContext } from './context';
import { createAssessmentAssets } from './create-assessment-assets';
import { readResponses } from './read-responses';
import { setSharing, trashFiles } from './sharing';
import { writeTab } from './write-tab';

/**
 * Runs one validated command and produces what is posted back: `{ result }` or
 * `{ error: { message, retryable } }`. Side-effecting commands are idempotent through the ledger:
 * a command id seen before returns its stored result and touches nothing in Workspace.
 */

export type CommandOutcome = { result: unknown } | { error: { message: string; retryable: boolean } };

/** Which results are stored and replayed comes from the command's definition (read_responses: never, it holds learner answers). */
const storesResult = (type: CommandType): boolean => COMMAND_CONTRACTS[type].storesResult;

/** One handler per command type: a type in COMMAND_CONTRACTS without a handler here fails `tsc`. */
type CommandHandlers = { [T in CommandType]: (command: ClaimedCommandOf<T>, ctx: CommandContext) => CommandResult<T> };

const HANDLERS: CommandHandlers = {
  create_assessment_assets: (command, ctx) => createAssessmentAssets(command.id, command.payload, ctx),
  write_tab: (command, ctx) => writeTab(command.payload, ctx),
  set_sharing: (command, ctx) => setSharing(command.payload, ctx),
  trash_files: (command, ctx) => trashFiles(command.payload, ctx),
  read_responses: (command, ctx) => readResponses(command.payload, ctx),
};

/** Errors that another attempt cannot fix. Everything else is retryable; the backend caps attempts. */
const PERMANENT_WORKSPACE_ERROR = /invalid argument|access denied|you do not have permission|no item with the given id|does not exist/i;

export function executeCommand(command: ClaimedCommand, ctx: CommandContext): CommandOutcome & { replayed: boolean } {
  const stored = storesResult(command.type) ? ctx.ledger.storedResult(command.id) : undefined;
  if (stored && stored.type === command.type) return { result: stored.result, replayed: true };

  let raw: unknown;
  try {
    raw = run(command, ctx);
  } catch (err) {
    const retryable = isRetryable(err);
    log.warn('command_failed', {
      command_id: command.id,
      workflow_id: command.workflowId,
      type: command.type,
      retryable,
      message: errorMessage(err),
    });
    return { error: { message: redact(errorMessage(err)).slice(0, 2000) || 'command failed', retryable }, replayed: false };
  }

  const checked = COMMAND_CONTRACTS[command.type].result.safeParse(raw);
  if (!checked.success) {
    const field = checked.error.issues[0]?.path.join('.') || 'result';
    log.error('command_result_contract_violation', { command_id: command.id, type: command.type, field });
    return {
      error: { message: `the add-on produced an invalid ${command.type} result (field ${field})`, retryable: false },
      replayed: false,
    };
  }
  if (storesResult(command.type)) ctx.ledger.recordResult(command.id, command.type, checked.data);
  return { result: checked.data, replayed: false };
}

function run<T extends CommandType>(command: ClaimedCommandOf<T>, ctx: CommandContext): unknown {
  return (HANDLERS[command.type as T] as (c: ClaimedCommandOf<T>, x: CommandContext) => unknown)(command, ctx);
}

export function isRetryable(err: unknown): boolean {
  if (err && typeof err === 'object' && typeof (err as { retryable?: unknown }).retryable === 'boolean') {
    return (err as { retryable: boolean }).retryable;
  }
  if (isQuotaError(err)) return true;
  return !PERMANENT_WORKSPACE_ERROR.test(errorMessage(err));
}
