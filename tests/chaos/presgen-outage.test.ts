import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../backend/db/client';
import { eventually } from '../support/backend';
import { createWorkflows, metricValue, startChaosStack, submitAll, waitForAll, type ChaosStack } from './support/chaos-stack';
import { doubleStepRuns, doubleTransitions, expectedJobKeys, keysWithExtraJobs, statusCounts } from './support/invariants';

/**
 * PresGen outage: both PresGen services answer 503 for a window. The circuit opens (seen in
 * /readyz and in presgen_circuit_state), the workflows wait in step 9 without spending their
 * retry budget on fail-fast calls, and all of them complete once PresGen is back.
 */
describe('chaos: PresGen outage', () => {
  const WORKFLOWS = 4;
  const COURSES = 2;
  const OUTAGE_MS = 3_000;
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await startChaosStack({
      jobMs: 100,
      env: {
        OUTBOUND_BREAKER_FAILURES: '3',
        OUTBOUND_BREAKER_HALF_OPEN_MS: '1000',
        RETRY_BASE_MS: '200',
        RETRY_MAX_MS: '2000',
        STEP_MAX_ATTEMPTS: '6',
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('opens the circuit during a 503 window; every workflow completes after recovery, none failed', async () => {
    const { api, database, presgen, backend } = stack;
    const ids = await createWorkflows(api, WORKFLOWS, COURSES);
    await waitForAll(database, ids, 'AWAITING_COMPLETION');

    const outageStart = Date.now();
    for (const sim of [presgen.core, presgen.avatar]) sim.injectFaults({ rules: [{ type: 'unavailable', forMs: OUTAGE_MS }] });
    const outageEnd = outageStart + OUTAGE_MS;
    await submitAll(api, database, ids);

    // During the window: the circuit is open in /readyz and in the metric, and workflows wait.
    const readyz = await eventually(
      async () => {
        const res = await fetch(`${backend.url}/readyz`);
        const body = (await res.json()) as { circuits: Record<string, string> };
        return body.circuits.presgen_core === 'open' ? body : undefined;
      },
      { what: 'presgen_core circuit open in /readyz', timeoutMs: OUTAGE_MS, intervalMs: 20 },
    );
    expect(readyz.circuits.presgen_core).toBe('open');
    const gauge = await eventually(
      async () => {
        const text = await (await fetch(`${backend.url}/metrics`)).text();
        return metricValue(text, 'presgen_circuit_state', { service: 'presgen_core' }) === 2 ? 2 : undefined;
      },
      { what: 'presgen_circuit_state{service="presgen_core"} = 2', timeoutMs: Math.max(100, outageEnd - Date.now()), intervalMs: 20 },
    );
    expect(gauge).toBe(2);
    const during = await statusCounts(database, ids);
    expect(during.FAILED ?? 0).toBe(0);
    expect(during.NEEDS_ATTENTION ?? 0).toBe(0);
    expect(during.COMPLETED ?? 0).toBe(0);
    expect(presgen.core.stats().jobsCreated).toBe(0);

    // After the window: all complete, none failed or needing attention.
    await waitForAll(database, ids, 'COMPLETED', 45_000);
    const recoveredMs = Date.now() - outageEnd;
    const after = await statusCounts(database, ids);
    expect(after).toEqual({ COMPLETED: WORKFLOWS });
    expect(await doubleStepRuns(database)).toEqual([]);
    expect(await doubleTransitions(database)).toEqual([]);

    const core = presgen.core.stats();
    const avatar = presgen.avatar.stats();
    expect(core.statusCodes['503']).toBeGreaterThan(0);
    // One deck and one video per course, outage or not.
    expect(await expectedJobKeys(database, ids, 'GENERATING_PRESENTATIONS')).toHaveLength(WORKFLOWS * COURSES);
    expect(keysWithExtraJobs(core)).toEqual([]);
    expect(keysWithExtraJobs(avatar)).toEqual([]);
    expect(Object.keys(core.jobsByIdempotencyKey)).toHaveLength(WORKFLOWS * COURSES);
    expect(Object.keys(avatar.jobsByIdempotencyKey)).toHaveLength(WORKFLOWS * COURSES);

    const metrics = await (await fetch(`${backend.url}/metrics`)).text();
    const failFast =
      metricValue(metrics, 'presgen_external_requests_total', { service: 'presgen_core', operation: 'submit', outcome: 'circuit_open' }) ??
      0;
    expect(failFast).toBeGreaterThan(0); // calls refused locally while open, never sent
    expect(metricValue(metrics, 'presgen_circuit_state', { service: 'presgen_core' })).toBe(0);
    const [attempts] = await rows<{ max: number }>(database.db, sql`select max(attempt)::int as max from fanout_items`);
    expect(Number(attempts.max)).toBeLessThan(6);
    console.log(
      `[chaos] PresGen outage: ${WORKFLOWS} workflows x ${COURSES} courses, ${OUTAGE_MS} ms of 503s: ${core.statusCodes['503']} 503s served to core, ` +
        `${failFast} fail-fast submits while open, max item attempts ${attempts.max}/6, all completed ${recoveredMs} ms after the outage, 0 failed, 0 needs-attention`,
    );
  }, 90_000);
});
