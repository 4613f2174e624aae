import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, rows, type Database } from '../../backend/db/client';
import { STEP_STATUSES } from '../../shared/workflow-status';
import { eventually } from '../support/backend';
import { BASE_DATABASE_URL } from '../support/postgres';
import { createWorkflows, startChaosStack, submitAll, waitForAll, type ChaosStack } from './support/chaos-stack';
import { doubleStepRuns, doubleTransitions, statusCounts, succeededStepsPerWorkflow } from './support/invariants';
import { startCuttableTcpProxy, type CuttableTcpProxy } from './support/tcp-proxy';

/**
 * Postgres goes away mid-run. The machine's shared cluster is never restarted (other suites use
 * it): the backend reaches Postgres through a TCP proxy that is cut — every connection destroyed,
 * new ones dropped — for a few seconds, then restored. /readyz reports the outage (503, database
 * check failing) and recovery (200); the backend reconnects; every workflow completes with each
 * of its 11 steps succeeded exactly once.
 *
 * postgres.js 3.4.9 has a defect this scenario hits about every other run (porsager/postgres
 * #1154, #1208): a connection that drops with a small write still buffered either throws
 * `Cannot read properties of null (reading 'write')` from a setImmediate (the process dies) or
 * stays "poisoned" (its queries wait out connect_timeout, 30 s, forever after). The fix is
 * patches/postgres+3.4.9.patch (applied by patch-package at npm install: guard nextWrite, reset the write timer on
 * teardown); until it is applied the first test fails with that explanation and the outage run
 * is skipped, instead of failing at random.
 */
const DRIVER_SOURCE = fileURLToPath(new URL('../../node_modules/postgres/src/connection.js', import.meta.url));
const driverPatched = /function nextWrite\(fn\) \{\s*if \(!socket\)/.test(readFileSync(DRIVER_SOURCE, 'utf8'));

describe('chaos: Postgres outage mid-run', () => {
  const WORKFLOWS = 6;
  const CUT_MS = 3_000;
  let proxy: CuttableTcpProxy;
  let stack: ChaosStack;
  let direct: Database;

  beforeAll(async () => {
    const target = new URL(BASE_DATABASE_URL);
    proxy = await startCuttableTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    stack = await startChaosStack({
      jobMs: 400,
      databaseUrl: (url) => {
        const viaProxy = new URL(url);
        viaProxy.hostname = '127.0.0.1';
        viaProxy.port = String(proxy.port);
        return viaProxy.toString();
      },
      env: { LEASE_MS: '1500', RETRY_BASE_MS: '100', RETRY_MAX_MS: '1000', COMMAND_LEASE_MS: '1500' },
    });
    // The test's own view of the database bypasses the proxy.
    direct = await openDatabase({ databaseUrl: stack.pg.url, poolSize: 2 });
  });
  afterAll(async () => {
    await direct?.close();
    await stack?.close();
    await proxy?.close();
  });

  async function readyz(): Promise<{ status: number; body: { checks: Record<string, string> } }> {
    const res = await fetch(`${stack.backend.url}/readyz`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
  }

  it('the installed postgres.js survives a connection dropped mid-write (porsager/postgres#1208)', () => {
    expect(
      driverPatched,
      `${DRIVER_SOURCE} lacks the null-socket guard in nextWrite(): run npm ci (postinstall applies patches/postgres+3.4.9.patch)`,
    ).toBe(true);
  });

  it.skipIf(!driverPatched)(
    'reports the outage in /readyz, reconnects, and loses no step',
    async () => {
      const { api } = stack;
      expect((await readyz()).status).toBe(200);
      const ids = await createWorkflows(api, WORKFLOWS, 2);
      await waitForAll(direct, ids, 'AWAITING_COMPLETION');
      await submitAll(api, direct, ids);
      // Cut while PresGen jobs are in flight and steps are being checkpointed.
      await eventually(
        async () => {
          const [r] = await rows<{ n: number }>(direct.db, sql`select count(*)::int as n from fanout_items where status = 'active'`);
          return Number(r.n) >= 2;
        },
        { what: 'PresGen jobs in flight', intervalMs: 10 },
      );
      const before = await statusCounts(direct, ids);

      const connectionsBefore = proxy.connectionsAccepted;
      await proxy.cut();
      const cutAt = Date.now();
      const down = await eventually(
        async () => {
          const r = await readyz();
          return r.status === 503 ? r : undefined;
        },
        { what: '/readyz 503 during the cut', timeoutMs: CUT_MS, intervalMs: 50 },
      );
      const downAfterMs = Date.now() - cutAt;
      expect(down.body.checks.database).toMatch(/^unreachable/);
      const remaining = CUT_MS - (Date.now() - cutAt);
      if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
      // Still down at the end of the cut (nothing got through the proxy).
      expect((await readyz()).status).toBe(503);
      await proxy.restore();
      const restoredAt = Date.now();

      await eventually(async () => (await readyz()).status === 200, {
        what: '/readyz 200 after the cut',
        timeoutMs: 15_000,
        intervalMs: 50,
      });
      const readyAgainMs = Date.now() - restoredAt;
      expect(proxy.connectionsAccepted).toBeGreaterThan(connectionsBefore); // it reconnected

      await waitForAll(direct, ids, 'COMPLETED', 45_000);
      const completedMs = Date.now() - restoredAt;
      expect(await statusCounts(direct, ids)).toEqual({ COMPLETED: WORKFLOWS });
      const perWorkflow = await succeededStepsPerWorkflow(direct);
      for (const id of ids) expect(perWorkflow.get(id)).toBe(STEP_STATUSES.length);
      expect(await doubleStepRuns(direct)).toEqual([]);
      expect(await doubleTransitions(direct)).toEqual([]);
      const [retries] = await rows<{ n: number }>(direct.db, sql`select count(*)::int as n from step_runs where outcome = 'retrying'`);
      console.log(
        `[chaos] Postgres outage: cut ${CUT_MS} ms mid-run (statuses at the cut ${JSON.stringify(before)}), /readyz 503 within ${downAfterMs} ms, ` +
          `ready again ${readyAgainMs} ms after restore, all ${WORKFLOWS} completed ${completedMs} ms after restore, ` +
          `${Number(retries.n)} step retries, 0 steps lost, 0 doubled`,
      );
    },
    90_000,
  );
});
