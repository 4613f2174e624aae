import type { ExecutionClock } from '../runtime/clock';
import { errorMessage, log } from '../runtime/log';
import type { CommandLedger } from '../storage/command-ledger';

/**
 * The lease of the command being executed. A command that outlives its lease is offered to the
 * next claim (the sidebar poll, a trigger), so a handler calls `keepAlive()` between its expensive
 * phases (a 20-question form is ~100 FormApp calls); once half of the lease is gone that renews it
 * (one UrlFetch), otherwise it costs nothing.
 *
 * The lease length is measured on the backend's clock (lease expiry minus the Date header of the
 * same answer) and counted down on this execution's clock, so clock skew between Google and the
 * backend does not matter.
 */
export interface CommandLease {
  keepAlive(): void;
  /** The token to complete with: ours, or a newer one a concurrent execution handed over (see CommandLedger.beginRun). */
  token(): string;
  renewals(): number;
}

/** A renewed lease: its expiry, and the backend's clock when it answered (the Date header), for a skew-free lease length. */
export type RenewalOutcome = { leaseExpiresAt: string; serverTimeMs?: number } | 'stale_lease';

/** The backend call that renews (BackendClient.renewCommandLease). */
export interface LeaseRenewer {
  renewCommandLease(commandId: string, leaseToken: string): RenewalOutcome;
}

/** Our lease is gone and nobody handed us the new one: stop, the new holder resumes from the ledger's progress. */
export class LeaseLostError extends Error {
  readonly retryable = true;
  constructor(commandId: string) {
    super(`the lease of command ${commandId} was lost to another execution`);
    this.name = 'LeaseLostError';
  }
}

/** For code that runs outside a claimed command. */
export const NO_LEASE: CommandLease = { keepAlive: () => undefined, token: () => '', renewals: () => 0 };

/** The Date header has whole seconds: the backend's real time may be up to 1 s later. */
const DATE_HEADER_RESOLUTION_MS = 1_000;

/** How long a lease lasts from now, on the backend's clock (falls back to ours when it sent no Date). */
export function leaseLengthMs(leaseExpiresAt: string, serverTimeMs: number | undefined, localNowMs: number): number {
  const expires = Date.parse(leaseExpiresAt);
  const length = serverTimeMs === undefined ? expires - localNowMs : expires - serverTimeMs - DATE_HEADER_RESOLUTION_MS;
  return Number.isFinite(length) ? Math.max(0, length) : 0;
}

export function commandLease(deps: {
  client: LeaseRenewer;
  ledger: CommandLedger;
  clock: ExecutionClock;
  commandId: string;
  leaseToken: string;
  /** Lease length at the moment of the claim (leaseLengthMs). */
  leaseMs: number;
}): CommandLease {
  const { client, ledger, clock, commandId } = deps;
  let token = deps.leaseToken;
  let leaseMs = deps.leaseMs;
  let since = clock.elapsedMs();
  let renewals = 0;

  /** One renewal call; 'failed' = no answer we can act on (unreachable after retries, a refusal other than 409). */
  const tryRenew = (leaseToken: string): RenewalOutcome | 'failed' => {
    try {
      return client.renewCommandLease(commandId, leaseToken);
    } catch (err) {
      log.warn('command_lease_renew_failed', { command_id: commandId, message: errorMessage(err) });
      return 'failed';
    }
  };

  const renew = (): boolean => {
    let outcome = tryRenew(token);
    if (outcome === 'stale_lease') {
      // A concurrent execution re-claimed the command while we were in a slow call, saw that we
      // run it and left its token for us: carry on under that one.
      const newer = ledger.takeHandover(commandId);
      if (!newer) return false;
      token = newer;
      outcome = tryRenew(token);
      if (outcome === 'stale_lease') return false;
    }
    since = clock.elapsedMs();
    // Not renewed but not refused either: carry on and try again after another half lease. If the
    // lease lapses meanwhile, the running mark still keeps a concurrent claim from redoing the work.
    if (outcome === 'failed') return true;
    leaseMs = leaseLengthMs(outcome.leaseExpiresAt, outcome.serverTimeMs, Date.now());
    renewals++;
    log.info('command_lease_renewed', { command_id: commandId, renewals, lease_ms: leaseMs });
    return true;
  };

  return {
    keepAlive() {
      if (clock.elapsedMs() - since < leaseMs / 2) return;
      if (!renew()) throw new LeaseLostError(commandId);
    },
    token: () => token,
    renewals: () => renewals,
  };
}
