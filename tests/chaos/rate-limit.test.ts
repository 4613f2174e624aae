import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../backend/config';
import { openDatabase, type Database } from '../../backend/db/client';
import { outboundRateLimits, PostgresRateLimiter, RATE_LIMIT_WAIT } from '../../backend/integration/rate-limiter';
import { startRuntime, type Runtime } from '../../backend/runtime';
import { startPresgenSimulator, type PresgenSimulator } from '../../backend/simulators/presgen-simulator';
import { TransientError } from '../../backend/errors';
import { deckInput } from '../integration-clients/fixtures';
import { testConfig } from '../support/backend';
import { createTestDatabase, DRIVERS, type TestDatabase } from '../support/postgres';
import { worstWindow } from './support/rate-window';
import { teardown } from '../support/teardown';

/**
 * The cross-replica rate limit: a token bucket per outbound service in Postgres. Two runtimes on
 * one database share the bucket, so together they are never granted more than rate × time + burst.
 */

describe.each(DRIVERS)('token bucket in the database (%s)', (driver) => {
  let pg: TestDatabase | undefined;
  let database: Database;

  beforeAll(async () => {
    if (driver === 'postgres') pg = await createTestDatabase('presgen_chaos');
    database = await openDatabase({ databaseUrl: pg?.url, pgliteDataDir: 'memory://' });
  });
  afterAll(async () => {
    await teardown(
      () => database?.close(),
      () => pg?.drop(),
    );
  });

  it('grants the burst at once, then refuses with the wait until the next token', async () => {
    // 0.5 tokens/s: the few milliseconds between takes refill far less than one token.
    const limiter = new PostgresRateLimiter({ database, limits: { presgen_core: { ratePerSec: 0.5, burst: 3 } }, maxWaitMs: 0 });
    const takes = [];
    for (let i = 0; i < 4; i++) takes.push(await limiter.tryTake('presgen_core'));
    expect(takes.map((t) => t.granted)).toEqual([true, true, true, false]);
    expect(takes[3].granted).toBe(false);
    const waitMs = (takes[3] as { waitMs: number }).waitMs;
    expect(waitMs).toBeGreaterThan(1500);
    expect(waitMs).toBeLessThanOrEqual(2000);

    // acquire() with no wait budget: a TransientError the engine retries later, at that wait.
    const err = await limiter.acquire('presgen_core').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).reason).toBe(RATE_LIMIT_WAIT);
    expect((err as TransientError).retryAfterMs).toBeGreaterThan(1000);

    // A service without a configured limit is never held.
    await limiter.acquire('presgen_avatar');
    expect(limiter.limits('presgen_avatar')).toBe(false);
  });

  it('waits for the next token instead of failing when the wait fits the budget', async () => {
    const slept: number[] = [];
    const limiter = new PostgresRateLimiter({
      database,
      limits: { presgen_avatar: { ratePerSec: 2, burst: 1 } },
      maxWaitMs: 5_000,
      sleep: async (ms) => {
        slept.push(ms);
        await new Promise((r) => setTimeout(r, ms));
      },
    });
    for (let i = 0; i < 3; i++) await limiter.acquire('presgen_avatar');
    // Burst 1 at 2/s: the first acquire takes the one token; the next two find the bucket empty
    // and wait (at most the 500 ms a token takes, plus the limiter's jitter) instead of failing.
    expect(slept.length).toBeGreaterThanOrEqual(2);
    expect(slept.every((ms) => ms >= 1 && ms <= 600)).toBe(true);
  });

  it('a replica started with new settings updates the shared bucket', async () => {
    await new PostgresRateLimiter({ database, limits: { presgen_core: { ratePerSec: 2, burst: 5 } } }).tryTake('presgen_core');
    const fresh = new PostgresRateLimiter({ database, limits: { presgen_core: { ratePerSec: 0.1, burst: 1 } }, maxWaitMs: 0 });
    // The bucket is capped to the new burst (1): at most one more grant, then the 10 s wait of 0.1/s.
    const first = await fresh.tryTake('presgen_core');
    const second = await fresh.tryTake('presgen_core');
    expect([first.granted, second.granted]).toContain(false);
    const refused = (first.granted ? second : first) as { waitMs: number };
    expect(refused.waitMs).toBeGreaterThan(5_000);
  });
});

describe('configuration', () => {
  it('reads PRESGEN_*_RATE_PER_SEC / _BURST; 0 means no limit; a bad value names the variable', () => {
    expect(outboundRateLimits(loadConfig({}))).toEqual({});
    expect(
      outboundRateLimits(
        loadConfig({ PRESGEN_CORE_RATE_PER_SEC: '20', PRESGEN_AVATAR_RATE_PER_SEC: '2.5', PRESGEN_AVATAR_RATE_BURST: '7' }),
      ),
    ).toEqual({
      presgen_core: { ratePerSec: 20, burst: 20 },
      presgen_avatar: { ratePerSec: 2.5, burst: 7 },
    });
    expect(() => loadConfig({ PRESGEN_CORE_RATE_PER_SEC: 'fast' })).toThrow(/PRESGEN_CORE_RATE_PER_SEC/);
    expect(() => loadConfig({ PRESGEN_CORE_RATE_BURST: '0' })).toThrow(/PRESGEN_CORE_RATE_BURST/);
  });
});

describe('two runtimes on one Postgres share the PresGen rate limit', () => {
  const RATE = 10;
  const BURST = 3;
  const REQUESTS = 40;
  let pg: TestDatabase;
  let sim: PresgenSimulator;
  const runtimes: Runtime[] = [];

  beforeAll(async () => {
    pg = await createTestDatabase('presgen_chaos');
    sim = await startPresgenSimulator({ kind: 'core' });
    const env = {
      DATABASE_URL: pg.url,
      PRESGEN_CORE_URL: sim.url,
      PRESGEN_AVATAR_URL: sim.url,
      PRESGEN_CORE_RATE_PER_SEC: String(RATE),
      PRESGEN_CORE_RATE_BURST: String(BURST),
    };
    for (const id of ['replica-1', 'replica-2']) {
      runtimes.push(await startRuntime(testConfig(undefined, { ...env, WORKER_ID: id }), { runWorkers: false, listen: false }));
    }
  });
  afterAll(async () => {
    await teardown(
      async () => {
        for (const r of runtimes) await r.stop();
      },
      () => sim?.close(),
      () => pg?.drop(),
    );
  });

  it(`${REQUESTS} submits from both: the shared bucket's grants never exceed rate × time + burst`, async () => {
    // The limiter's own grant times (the database clock instant its bucket arithmetic used), from
    // every limiter in this process: both runtimes'. Arrival times at the simulator would add
    // event-loop and HTTP jitter of a busy machine; the grants are what the bucket decides.
    const grantsMs: number[] = [];
    const tryTake = PostgresRateLimiter.prototype.tryTake;
    vi.spyOn(PostgresRateLimiter.prototype, 'tryTake').mockImplementation(async function (this: PostgresRateLimiter, service) {
      const take = await tryTake.call(this, service);
      if (take.granted && service === 'presgen_core') grantsMs.push(take.grantedAtMs);
      return take;
    });
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        runtimes[i % 2].deps.presgen.core.submit(deckInput((i % 5) + 1) as never, `rate-test-${i}`),
      ),
    ).finally(() => vi.restoreAllMocks());
    expect(results).toHaveLength(REQUESTS);
    expect(new Set(results.map((r) => r.jobId)).size).toBe(REQUESTS);
    const arrivals = sim
      .stats()
      .requests.filter((r) => r.operation === 'submit')
      .map((r) => r.at);
    expect(arrivals).toHaveLength(REQUESTS); // nothing retried, nothing lost

    expect(grantsMs).toHaveLength(REQUESTS); // one token per request, none went out ungranted
    // No delivery slack: the grants are the bucket's own instants. A grant lands exactly on its refill
    // boundary, so a window can sit at the limit; 1e-3 of a request absorbs the float rounding of
    // epoch milliseconds (a double near 1.8e12 ms resolves ~0.25 µs) and of the bucket's arithmetic.
    // Per-replica buckets overshoot here by ~17 requests (tried: 39 grants in 1.85 s).
    const worst = worstWindow(grantsMs, RATE, BURST);
    expect(worst.excess, JSON.stringify(worst)).toBeLessThanOrEqual(1e-3);
    const spanMs = Math.max(...grantsMs) - Math.min(...grantsMs);
    console.log(
      `[chaos] rate limit: ${REQUESTS} requests from 2 runtimes at ${RATE}/s burst ${BURST}: grants span ${spanMs.toFixed(1)} ms ` +
        `(floor ${Math.round(((REQUESTS - BURST) / RATE) * 1000)} ms), busiest window ${worst.count} grants in ${worst.spanMs.toFixed(1)} ms ` +
        `(allowed ${worst.allowed.toFixed(2)}), wall ${Date.now() - started} ms`,
    );
  }, 30_000);
});
