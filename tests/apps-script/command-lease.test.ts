import { describe, expect, it } from 'vitest';
import { commandLease, leaseLengthMs, LeaseLostError, type RenewalOutcome } from '../../apps-script/commands/lease';
import type { ExecutionClock } from '../../apps-script/runtime/clock';
import { CommandLedger } from '../../apps-script/storage/command-ledger';
import { JsonStore, type PropertiesLike } from '../../apps-script/storage/json-store';

/** The lease keep-alive: renews only once half of the lease is gone, adopts a handed-over token, survives a failing backend. */

function memoryProperties(): PropertiesLike {
  const values = new Map<string, string>();
  return {
    getProperty: (k) => values.get(k) ?? null,
    setProperty: (k, v) => values.set(k, v),
    deleteProperty: (k) => values.delete(k),
    getProperties: () => Object.fromEntries(values),
  };
}

function setup(answers: Array<RenewalOutcome | Error>) {
  let elapsed = 0;
  const clock: ExecutionClock = { elapsedMs: () => elapsed, remainingMs: () => 300_000, sleep: () => 0 };
  const calls: string[] = [];
  const client = {
    renewCommandLease: (_id: string, token: string): RenewalOutcome => {
      calls.push(token);
      const answer = answers.shift() ?? 'stale_lease';
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  const ledger = new CommandLedger(new JsonStore(memoryProperties()));
  const lease = commandLease({ client, ledger, clock, commandId: 'cmd-1', leaseToken: 'ours', leaseMs: 120_000 });
  return { lease, ledger, calls, advance: (ms: number) => (elapsed += ms) };
}

const renewed = (at: number): RenewalOutcome => ({ leaseExpiresAt: new Date(at + 120_000).toISOString(), serverTimeMs: at });

describe('command lease keep-alive', () => {
  it('costs nothing until half of the lease is gone, then renews once per half lease', () => {
    const { lease, calls, advance } = setup([renewed(0), renewed(0)]);
    lease.keepAlive();
    advance(59_000);
    lease.keepAlive();
    expect(calls).toEqual([]);
    advance(1_000);
    lease.keepAlive();
    lease.keepAlive();
    expect(calls).toEqual(['ours']);
    expect(lease.renewals()).toBe(1);
  });

  it('a stale lease with a handed-over token carries on under that token; without one the lease is lost', () => {
    const { lease, ledger, calls, advance } = setup(['stale_lease', renewed(0), 'stale_lease']);
    ledger.beginRun('cmd-1', 'ours', Date.now() + 60_000);
    expect(ledger.beginRun('cmd-1', 'theirs', Date.now() + 60_000)).toBe('running_elsewhere');
    advance(60_000);
    lease.keepAlive();
    expect(calls).toEqual(['ours', 'theirs']);
    expect(lease.token()).toBe('theirs');
    advance(60_000);
    expect(() => lease.keepAlive()).toThrow(LeaseLostError);
  });

  it('a backend that cannot renew (unreachable, an older backend answering 404) does not stop the command', () => {
    const { lease, calls, advance } = setup([new Error('PresGen-Assess is temporarily unavailable')]);
    advance(60_000);
    expect(() => lease.keepAlive()).not.toThrow();
    expect(lease.renewals()).toBe(0);
    lease.keepAlive(); // the next try waits another half lease
    expect(calls).toHaveLength(1);
  });

  it('measures the lease on the backend clock (Date header, whole seconds) and falls back to ours', () => {
    expect(leaseLengthMs('2026-11-30T20:02:00.000Z', Date.parse('2026-11-30T20:00:00Z'), 0)).toBe(119_000);
    expect(leaseLengthMs('2026-11-30T20:02:00.000Z', undefined, Date.parse('2026-11-30T20:01:00Z'))).toBe(60_000);
    expect(leaseLengthMs('not a date', undefined, 0)).toBe(0);
  });
});
