import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, rows, type Database } from '../../backend/db/client';
import { getWorkflow, listAuditEvents } from '../../backend/db/repositories/workflow-repository';
import { listSubmissions } from '../../backend/integration/presgen-submissions';
import { startRealPresgenSimulator, type RealPresgenSimulator } from '../../backend/simulators/presgen-real-simulator';
import { TestApiClient } from '../support/api-client';
import { TEST_ADMIN_TOKEN, eventually } from '../support/backend';
import { replicaEnv, startBackendProcess, type BackendProcess } from '../support/backend-process';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { ScriptedAppsScript } from '../support/scripted-apps-script';
import { startAndSubmit } from '../support/workflow-driver';
import { teardown } from '../support/teardown';

/**
 * The replica holding synchronous PresGen calls (POST /render held open for seconds) is
 * SIGKILLed mid-call. Another replica takes the items over once their leases expire, renders them
 * again (the real API has no idempotency key), and the workflow completes; every repeat is a
 * possible duplicate: counted in the metric (scraped from the surviving replica), written to the
 * audit trail and visible in the submission ledger, and the simulator confirms the double render.
 */
describe('crash of the replica holding a synchronous PresGen call', () => {
  let identity: TestIdentityProvider;
  let pg: TestDatabase;
  let core: RealPresgenSimulator;
  let training: RealPresgenSimulator;
  let database: Database;
  let first: BackendProcess | undefined;
  let second: BackendProcess | undefined;

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    pg = await createTestDatabase();
    core = await startRealPresgenSimulator({ kind: 'core', renderMs: 3000 });
    training = await startRealPresgenSimulator({ kind: 'core', videoMs: 200 });
    database = await openDatabase({ databaseUrl: pg.url });
  });
  afterAll(async () => {
    await teardown(
      () => first?.kill('SIGKILL'),
      () => second?.kill(),
      () => database?.close(),
      () => core?.close(),
      () => training?.close(),
      () => pg?.drop(),
      () => identity?.close(),
    );
  });

  const env = () => ({
    ...replicaEnv({
      databaseUrl: pg.url,
      identity,
      presgen: { core, avatar: training },
      adminToken: TEST_ADMIN_TOKEN,
      protocols: { core: 'presgen', avatar: 'presgen-training' },
    }),
    LEASE_MS: '1500',
    PRESGEN_POLL_MS: '100',
    RETRY_BASE_MS: '50',
    RETRY_MAX_MS: '500',
  });

  it('the workflow completes on the other replica and the possible duplicates are counted', async () => {
    first = await startBackendProcess({ ...env(), WORKER_ID: 'sync-a' });
    let baseUrl = first.url;
    const api = new TestApiClient('', () => identity.signIdToken({ email: 'sync-crash@school.example' }));
    Object.defineProperty(api, 'baseUrl', { get: () => baseUrl });
    const appsScript = new ScriptedAppsScript(api);
    appsScript.start();

    const id = await startAndSubmit(api, database, { courseCount: 2 });
    // Both decks are being rendered: the calls are open at PresGen-Core, held by replica A.
    await eventually(async () => core.stats().inFlight === 2, { what: 'two /render calls in flight', timeoutMs: 60_000 });
    await first.kill('SIGKILL');

    second = await startBackendProcess({ ...env(), WORKER_ID: 'sync-b' });
    baseUrl = second.url;
    await eventually(async () => (await getWorkflow(database.db, id))?.status === 'COMPLETED', { what: 'COMPLETED', timeoutMs: 60_000 });
    await appsScript.stop();

    const ledger = (await listSubmissions(database.db, id)).filter((s) => s.service === 'presgen_core');
    expect(ledger.filter((s) => s.workerId === 'sync-a').map((s) => s.outcome)).toEqual(['superseded', 'superseded']);
    const retries = ledger.filter((s) => s.workerId === 'sync-b');
    expect(retries.map((s) => s.outcome)).toEqual(['succeeded', 'succeeded']);
    expect(retries.every((s) => s.possibleDuplicateOf !== null)).toBe(true);

    const audit = (await listAuditEvents(database.db, id)).filter((e) => e.type === 'presgen_possible_duplicate');
    expect(audit).toHaveLength(2);
    expect(audit.every((e) => e.actor === 'sync-b')).toBe(true);

    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toMatch(/presgen_possible_duplicate_submissions_total\{service="presgen_core"\} 2/);

    // The abandoned calls did render at PresGen: two decks per course, made visible above.
    await eventually(async () => core.stats().renders === 4, { what: 'abandoned renders finished' });
    expect(Object.values(core.stats().rendersByKey)).toEqual([2, 2]);
    const [videos] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from fanout_items where workflow_id = ${id} and step = 'GENERATING_AVATAR_VIDEOS' and status = 'succeeded'`,
    );
    expect(Number(videos.n)).toBe(2);
  }, 150_000);
});
