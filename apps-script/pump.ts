import type { ClaimedCommand, CommandCompletion } from '../shared/contracts/commands';
import type { BackendClient, CompletionOutcome } from './backend-client';
import { BackendError } from './http/backend-error';
import type { CommandContext } from './commands/context';
import { executeCommand } from './commands/executor';
import { commandLease, leaseLengthMs, type CommandLease } from './commands/lease';
import { validateClaimedCommand } from './commands/validate';
import { MAX_EXECUTION_MS } from './runtime/clock';
import { errorMessage, log } from './runtime/log';

/**
 * The command pump: claim this instructor's pending workspace commands, execute each, post each
 * outcome back. The backend never calls into Apps Script, so this loop is how steps 3, 6–8 and 11
 * get done. It runs from the sidebar (short, every few seconds), from the form-submit trigger
 * (keeps polling for a few minutes so steps 6–8 land right after a submission) and hourly.
 *
 * These executions can overlap, and a command whose lease lapsed during a slow call is offered to
 * the next claim. Two guards keep a command from running twice: the running execution renews the
 * lease between slow phases (CommandLease), and a command already marked as running in the ledger
 * by a live execution is skipped; the skipping execution hands its (now current) lease token to the
 * running one, which completes with it, so the command still completes exactly once.
 */

export interface PumpOptions {
  /** Only commands for the spreadsheet the add-on runs in (undefined: all of this instructor's). */
  spreadsheetId?: string;
  claimBatchSize: number;
  /** Expected time per command: claims are sized to what fits in the time left. */
  commandEstimateMs: number;
  /** No new claim after this much time since the pump started. */
  stopAfterMs: number;
  /** Keep polling while idle until this long has passed without a command (0: stop at the first empty claim). */
  idleWaitMs: number;
  pollIntervalMs: number;
  /** Do not start a command with less than this left in the execution budget; its lease will lapse and it is re-offered. */
  commandReserveMs: number;
  /**
   * Asked after an empty claim, before idling on: false = nothing more is coming soon, stop now
   * (saves trigger runtime, 90 min/day on consumer accounts). Absent: idle up to idleWaitMs.
   */
  moreComingSoon?: () => boolean;
}

export interface PumpStats {
  claimed: number;
  succeeded: number;
  failed: number;
  /** Answered from the ledger: a re-delivery of a command already done. */
  replayed: number;
  invalid: number;
  /** Completion refused (409 stale lease, or the command is gone): another execution owns it, or nobody does. */
  staleLeases: number;
  /** Claimed but left for a later run (budget ran low, or the user lock was busy). */
  deferred: number;
  /** Claimed while another live execution runs it (its lease had lapsed): left to that execution. */
  runningElsewhere: number;
  /** Lease renewals of the commands this pump ran (one UrlFetch each). */
  leaseRenewals: number;
  /** Set when the backend could not be reached; the next run picks up. */
  backendError?: string;
}

export function pumpCommands(client: BackendClient, ctx: CommandContext, opts: PumpOptions): PumpStats {
  const stats: PumpStats = {
    claimed: 0,
    succeeded: 0,
    failed: 0,
    replayed: 0,
    invalid: 0,
    staleLeases: 0,
    deferred: 0,
    runningElsewhere: 0,
    leaseRenewals: 0,
  };
  const startedAt = ctx.clock.elapsedMs();
  let lastWorkAt = startedAt;
  try {
    while (ctx.clock.elapsedMs() - startedAt < opts.stopAfterMs && ctx.clock.remainingMs() > opts.commandReserveMs) {
      // Claim only what fits: a claimed command waiting behind slow ones would outlive its lease and
      // be re-offered to another execution (the sidebar's) while this one may still run it.
      const fit = Math.floor((ctx.clock.remainingMs() - opts.commandReserveMs) / opts.commandEstimateMs);
      if (fit < 1 && stats.claimed > 0) break;
      const { commands: batch, serverTimeMs } = client.claimCommands(opts.spreadsheetId, Math.max(1, Math.min(opts.claimBatchSize, fit)));
      const claimedAtMs = Date.now();
      stats.claimed += batch.length;
      if (batch.length === 0) {
        const idleFor = ctx.clock.elapsedMs() - lastWorkAt;
        if (idleFor + opts.pollIntervalMs > opts.idleWaitMs) break;
        if (opts.moreComingSoon && !opts.moreComingSoon()) {
          log.info('pump_nothing_pending', { idle_ms: idleFor });
          break;
        }
        ctx.clock.sleep(opts.pollIntervalMs);
        continue;
      }
      for (const raw of batch) {
        if (ctx.clock.remainingMs() <= opts.commandReserveMs) {
          stats.deferred++;
          continue;
        }
        processCommand(client, ctx, raw, stats, { serverTimeMs, claimedAtMs });
      }
      lastWorkAt = ctx.clock.elapsedMs();
    }
  } catch (err) {
    // Backend unreachable after retries: whatever was claimed is re-offered when its lease lapses.
    stats.backendError = errorMessage(err);
    log.warn('pump_stopped', { message: stats.backendError });
  }
  log.info('pump_finished', { ...stats, backendError: stats.backendError ? 'yes' : undefined });
  return stats;
}

/**
 * Post a completion. A refusal that retrying cannot change (the command is gone or no longer
 * leased to us) drops that one command instead of stopping the pump; an unreachable backend still
 * stops it (thrown).
 */
function completeOrDrop(client: BackendClient, commandId: string, completion: CommandCompletion): CompletionOutcome | 'refused' {
  try {
    return client.completeCommand(commandId, completion);
  } catch (err) {
    if (!(err instanceof BackendError) || err.retryable) throw err;
    log.warn('command_completion_refused', { command_id: commandId, status: err.status, code: err.code });
    return 'refused';
  }
}

function processCommand(
  client: BackendClient,
  ctx: CommandContext,
  raw: unknown,
  stats: PumpStats,
  claim: { serverTimeMs?: number; claimedAtMs: number },
): void {
  const validated = validateClaimedCommand(raw);
  if (!validated.ok) {
    stats.invalid++;
    log.error('command_invalid', { command_id: validated.id, message: validated.message });
    if (validated.id && validated.leaseToken) {
      const outcome = completeOrDrop(client, validated.id, {
        leaseToken: validated.leaseToken,
        error: { message: validated.message, retryable: false },
      });
      if (outcome === 'stale_lease' || outcome === 'refused') stats.staleLeases++;
    }
    return;
  }

  const command = validated.command;
  // The latest moment this execution can be alive: after that a stale "running" mark is ignored.
  const aliveUntil = Date.now() + Math.max(0, MAX_EXECUTION_MS - ctx.clock.elapsedMs());
  let begun: 'started' | 'running_elsewhere';
  try {
    begun = ctx.ledger.beginRun(command.id, command.leaseToken, aliveUntil);
  } catch (err) {
    // The user lock stayed busy: leave the command; its lease lapses and it is offered again.
    stats.deferred++;
    log.warn('command_deferred', { command_id: command.id, message: errorMessage(err) });
    return;
  }
  if (begun === 'running_elsewhere') {
    stats.runningElsewhere++;
    log.info('command_running_elsewhere', { command_id: command.id, workflow_id: command.workflowId });
    return;
  }

  const lease = commandLease({
    client,
    ledger: ctx.ledger,
    clock: ctx.clock,
    commandId: command.id,
    leaseToken: command.leaseToken,
    leaseMs: leaseLengthMs(command.leaseExpiresAt, claim.serverTimeMs, claim.claimedAtMs) - (Date.now() - claim.claimedAtMs),
  });
  try {
    runAndComplete(client, { ...ctx, lease }, command, lease, stats);
  } finally {
    stats.leaseRenewals += lease.renewals();
    try {
      ctx.ledger.endRun(command.id);
    } catch (err) {
      // The mark expires on its own (aliveUntil); nothing else depends on clearing it now.
      log.warn('command_run_mark_left', { command_id: command.id, message: errorMessage(err) });
    }
  }
}

function runAndComplete(client: BackendClient, ctx: CommandContext, command: ClaimedCommand, lease: CommandLease, stats: PumpStats): void {
  const outcome = executeCommand(command, ctx);
  if (outcome.replayed) stats.replayed++;
  if ('result' in outcome) stats.succeeded++;
  else stats.failed++;

  // The command's trace context goes back with its result, so the backend links the round trip.
  const echo = command.traceparent ? { traceparent: command.traceparent } : {};
  const completion = (leaseToken: string): CommandCompletion =>
    'result' in outcome ? { leaseToken, result: outcome.result, ...echo } : { leaseToken, error: outcome.error, ...echo };
  let ack = completeOrDrop(client, command.id, completion(lease.token()));
  // Our lease lapsed during a slow call and an execution that re-claimed the command left us its token.
  for (let handovers = 0; ack === 'stale_lease' && handovers < 3; handovers++) {
    const newer = ctx.ledger.takeHandover(command.id);
    if (!newer) break;
    ack = completeOrDrop(client, command.id, completion(newer));
  }
  if (ack === 'stale_lease' || ack === 'refused') {
    // Our lease lapsed and another execution owns the command; the ledger keeps our result, so
    // when that execution runs it, nothing is created twice.
    stats.staleLeases++;
    log.warn('command_lease_stale', { command_id: command.id, workflow_id: command.workflowId });
  } else {
    log.info('command_completed', {
      command_id: command.id,
      workflow_id: command.workflowId,
      type: command.type,
      ok: 'result' in outcome,
      ack,
    });
  }
}
