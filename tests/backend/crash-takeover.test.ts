import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, rows, type Database } from '../../backend/db/client';
import { getWorkflow } from '../../backend/db/repositories/workflow-repository';
import { startLocalPresgen, type LocalPresgen } from '../../backend/simulators/start-simulators';
import { STEP_STATUSES } from '../../shared/workflow-status';
import { TestApiClient } from '../support/api-client';
import { TEST_ADMIN_TOKEN, eventually } from '../support/backend';
import { replicaEnv, startBackendProcess, type BackendProcess } from '../support/backend-process';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { submissionFor } from '../support/learner';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { ScriptedAppsScript } from '../support/scripted-apps-script';
import { teardown } from '../support/teardown';

/**
 * A replica is SIGKILLed while its workflows are mid-flight (PresGen jobs running under its
 * leases); a second replica takes over once the leases expire, and every workflow completes with
 * each step's output written exactly once and one PresGen job per course.
 */
describe('crash and takeover', () => {
  let identity: TestIdentityProvider;
  let pg: TestDatabase;
  let presgen: LocalPresgen;
  let database: Database;
  let first: BackendProcess | undefined;
  let second: BackendProcess | undefined;
  const instructor = 'crash@school.example';

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    pg = await createTestDatabase();
    presgen = await startLocalPresgen({ jobMs: 1500 });
    database = await openDatabase({ databaseUrl: pg.url });
  });
  afterAll(async () => {
    await teardown(
      () => first?.kill('SIGKILL'),
      () => second?.kill(),
      () => database?.close(),
      () => presgen?.close(),
      () => pg?.drop(),
      () => identity?.close(),
    );
  });

  const env = () => ({
    ...replicaEnv({ databaseUrl: pg.url, identity, presgen, adminToken: TEST_ADMIN_TOKEN }),
    LEASE_MS: '1500',
    PRESGEN_POLL_MS: '100',
    RETRY_BASE_MS: '50',
    RETRY_MAX_MS: '500',
  });

  it("a SIGKILLed replica's workflows are completed by another, each step written once", async () => {
    first = await startBackendProcess({ ...env(), WORKER_ID: 'replica-a' });
    let baseUrl = first.url;
    const api = new TestApiClient('', () => identity.signIdToken({ email: instructor }));
    Object.defineProperty(api, 'baseUrl', { get: () => baseUrl });
    const appsScript = new ScriptedAppsScript(api);
    appsScript.start();

    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await api.createWorkflow({
        certificationId: 'aws-saa-c03',
        learnerEmail: `learner${i}@example.com`,
        courseCount: 2,
        slidesPerCourse: 3,
        spreadsheetId: 'sheet-x',
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    for (const id of ids) {
      await eventually(async () => (await getWorkflow(database.db, id))?.status === 'AWAITING_COMPLETION', { what: `${id} awaiting` });
      expect((await api.submitForm(await submissionFor(database, id, 'half'))).status).toBe(202);
    }
    // Kill the replica while PresGen decks are in flight under its leases.
    await eventually(
      async () => {
        const [r] = await rows<{ n: number }>(
          database.db,
          sql`select count(*)::int as n from fanout_items where status = 'active' and lease_owner is null and external_job_id is not null`,
        );
        return Number(r.n) >= 2;
      },
      { what: 'PresGen jobs in flight' },
    );
    const killedAt = Date.now();
    await first.kill('SIGKILL');

    second = await startBackendProcess({ ...env(), WORKER_ID: 'replica-b' });
    baseUrl = second.url;
    for (const id of ids) {
      await eventually(async () => (await getWorkflow(database.db, id))?.status === 'COMPLETED', {
        what: `${id} completed`,
        timeoutMs: 60_000,
      }).catch(async (err) => {
        const state = await rows(
          database.db,
          sql`select id, status, run_after, lease_owner, lease_expires_at, wake_seq, last_error from workflows`,
        );
        const items = await rows(
          database.db,
          sql`select workflow_id, step, item_index, status, attempt, run_after, lease_owner, lease_expires_at, external_job_id, last_error from fanout_items`,
        );
        const cmds = await rows(database.db, sql`select workflow_id, step, type, status, attempts from workspace_commands`);
        throw new Error(`${(err as Error).message}\n${JSON.stringify({ state, items, cmds }, null, 1)}\n${second?.output().slice(-4000)}`);
      });
    }
    const takeoverMs = Date.now() - killedAt;
    await appsScript.stop();

    for (const id of ids) {
      const runs = await rows<{ step: string; n: number }>(
        database.db,
        sql`select step, count(*)::int as n from step_runs where workflow_id = ${id} and outcome = 'succeeded' group by step`,
      );
      expect(Object.fromEntries(runs.map((r) => [r.step, Number(r.n)]))).toEqual(Object.fromEntries(STEP_STATUSES.map((s) => [s, 1])));
      const transitions = await rows<{ to_status: string; n: number }>(
        database.db,
        sql`select to_status, count(*)::int as n from audit_events where workflow_id = ${id} and type = 'transition' group by to_status`,
      );
      expect(transitions.every((t) => Number(t.n) === 1)).toBe(true);
      expect(appsScript.countByType('create_assessment_assets', id)).toBe(1);
    }
    // One deck and one video per course, whichever replica submitted or polled it.
    const core = presgen.core.stats();
    const avatar = presgen.avatar.stats();
    for (const id of ids) {
      for (const course of [1, 2]) {
        expect(core.jobsByIdempotencyKey[`${id}:GENERATING_PRESENTATIONS:${course}`]?.jobsCreated).toBe(1);
        expect(avatar.jobsByIdempotencyKey[`${id}:GENERATING_AVATAR_VIDEOS:${course}`]?.jobsCreated).toBe(1);
      }
    }
    const workers = await rows<{ worker_id: string }>(database.db, sql`select distinct worker_id from step_runs`);
    expect(workers.map((w) => w.worker_id).sort()).toEqual(['replica-a', 'replica-b']);
    console.log(`crash takeover: ${ids.length} workflows completed ${takeoverMs} ms after the SIGKILL (lease 1500 ms)`);
  }, 120_000);
});
