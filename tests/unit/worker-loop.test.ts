import { afterEach, describe, expect, it } from 'vitest';
import { startPeriodic, WorkerLoop } from '../../backend/leased-work/worker-loop';

/**
 * The one worker loop, with scripted rounds: no database. Asserts on what the loop does (which
 * rounds ran, in response to what), never on how long it took.
 */

const loops: WorkerLoop[] = [];
afterEach(async () => {
  await Promise.all(loops.splice(0).map((l) => l.stop()));
});

function until(check: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}

describe('WorkerLoop', () => {
  it('runs rounds back to back while work is due, then sleeps until notified', async () => {
    let rounds = 0;
    let due = 3;
    const loop = new WorkerLoop({
      name: 'test',
      // Three rounds find work (0 = run again now); after that nothing is scheduled.
      round: async () => {
        rounds++;
        return due-- > 0 ? 0 : null;
      },
      idleMaxMs: 60_000,
      errorBackoffMs: 60_000,
    });
    loops.push(loop);
    await loop.start();
    await until(() => rounds === 4, 'four rounds');
    await new Promise((r) => setTimeout(r, 50));
    expect(rounds).toBe(4); // asleep: the idle wait is a minute
    loop.notify();
    await until(() => rounds === 5, 'the round a notify asks for');
  });

  it('sleeps only until the due time a round reports', async () => {
    let rounds = 0;
    const loop = new WorkerLoop({
      name: 'test',
      round: async () => (++rounds === 1 ? 20 : null),
      idleMaxMs: 60_000,
      errorBackoffMs: 60_000,
    });
    loops.push(loop);
    await loop.start();
    // Without the reported due time the second round would come a minute later.
    await until(() => rounds === 2, 'the round at the due time');
  });

  it('backs off after a failed round and carries on', async () => {
    let rounds = 0;
    const loop = new WorkerLoop({
      name: 'test',
      round: async () => {
        rounds++;
        if (rounds === 1) throw new Error('database unavailable');
        return null;
      },
      idleMaxMs: 60_000,
      errorBackoffMs: 10,
    });
    loops.push(loop);
    await loop.start();
    await until(() => rounds === 2, 'the round after the back-off');
  });

  it('wakes on a NOTIFY of its channel, renews leases while running, and drains before the heartbeat stops', async () => {
    let rounds = 0;
    let renewals = 0;
    const listeners = new Map<string, () => void>();
    const database = {
      async listen(channel: string, onMessage: () => void) {
        listeners.set(channel, onMessage);
        return async () => void listeners.delete(channel);
      },
    };
    const loop = new WorkerLoop({
      name: 'test',
      round: async () => {
        rounds++;
        return null;
      },
      idleMaxMs: 60_000,
      errorBackoffMs: 60_000,
      listen: { database: database as never, channel: 'wake_me' },
      heartbeat: { everyMs: 5, renew: async () => void renewals++ },
    });
    await loop.start();
    await until(() => rounds === 1, 'the first round');
    listeners.get('wake_me')!();
    await until(() => rounds === 2, 'the round the NOTIFY asks for');
    await until(() => renewals >= 2, 'heartbeats');

    let renewalsWhenDrained = -1;
    await loop.stop(async () => {
      const before = renewals;
      await until(() => renewals > before, 'a heartbeat during the drain');
      renewalsWhenDrained = renewals;
    });
    expect(renewalsWhenDrained).toBeGreaterThan(0);
    expect(listeners.has('wake_me')).toBe(false);
    const after = renewals;
    await new Promise((r) => setTimeout(r, 30));
    expect(renewals).toBe(after); // stopped: no heartbeat after stop()
    expect(loop.isRunning).toBe(false);
  });

  it('startPeriodic runs at once and every period, and its stop runs the last flush', async () => {
    let runs = 0;
    let flushed = 0;
    const stop = startPeriodic({ name: 'test', everyMs: 10, run: async () => void runs++, onStop: async () => void flushed++ });
    await until(() => runs >= 3, 'three periodic runs');
    await stop();
    const after = runs;
    await new Promise((r) => setTimeout(r, 40));
    expect(runs).toBe(after);
    expect(flushed).toBe(1);
  });
});
