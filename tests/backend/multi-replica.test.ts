import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, rows, type Database } from '../../backend/db/client';
import { startLocalPresgen, type LocalPresgen } from '../../backend/simulators/start-simulators';
import { TestApiClient } from '../support/api-client';
import { TEST_ADMIN_TOKEN, eventually } from '../support/backend';
import { replicaEnv, startBackendProcess, type BackendProcess } from '../support/backend-process';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { submissionFor } from '../support/learner';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { ScriptedAppsScript } from '../support/scripted-apps-script';
import { teardown } from '../support/teardown';

/** Two engine processes on one Postgres share 50 workflows: each completes exactly once, no step runs twice at once. */
describe('two replicas on one Postgres', () => {
  const WORKFLOWS = 50;
  let identity: TestIdentityProvider;
  let pg: TestDatabase;
  let presgen: LocalPresgen;
  let database: Database;
  const replicas: BackendProcess[] = [];

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    pg = await createTestDatabase();
    presgen = await startLocalPresgen({ jobMs: 0 });
    database = await openDatabase({ databaseUrl: pg.url });
    const env = {
      ...replicaEnv({ databaseUrl: pg.url, identity, presgen, adminToken: TEST_ADMIN_TOKEN }),
      PRESGEN_POLL_MS: '20',
      LEASE_MS: '3000',
    };
    replicas.push(
      ...(await Promise.all([
        startBackendProcess({ ...env, WORKER_ID: 'replica-1' }),
        startBackendProcess({ ...env, WORKER_ID: 'replica-2' }),
      ])),
    );
  });
  afterAll(async () => {
    await teardown(
      () => Promise.all(replicas.map((r) => r.kill())),
      () => database?.close(),
      () => presgen?.close(),
      () => pg?.drop(),
      () => identity?.close(),
    );
  });

  it(`runs ${WORKFLOWS} workflows to COMPLETED, each exactly once`, async () => {
    // A round-robin "load balancer": consecutive calls go to alternate replicas.
    let turn = 0;
    const api = new TestApiClient('', () => identity.signIdToken({ email: 'multi@school.example' }));
    Object.defineProperty(api, 'baseUrl', { get: () => replicas[turn++ % replicas.length].url });
    const appsScript = new ScriptedAppsScript(api, { intervalMs: 10 });
    appsScript.start();

    const ids = new Set<string>();
    for (let i = 0; i < WORKFLOWS; i++) {
      const res = await api.createWorkflow({
        certificationId: i % 2 ? 'aws-saa-c03' : 'comptia-security-plus-sy0-701',
        learnerEmail: `l${i}@example.com`,
        courseCount: 1,
        slidesPerCourse: 2,
        spreadsheetId: 's',
      });
      expect(res.status).toBe(201);
      ids.add(res.body.id);
    }
    const submitted = new Set<string>();
    await eventually(
      async () => {
        const waiting = await rows<{ id: string }>(database.db, sql`select id from workflows where status = 'AWAITING_COMPLETION'`);
        for (const { id } of waiting.filter((w) => !submitted.has(w.id))) {
          expect((await api.submitForm(await submissionFor(database, id, 'half'))).status).toBe(202);
          submitted.add(id);
        }
        const [done] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from workflows where status = 'COMPLETED'`);
        return Number(done.n) === WORKFLOWS;
      },
      { what: 'all workflows completed', timeoutMs: 120_000, intervalMs: 100 },
    );
    await appsScript.stop();

    const [counts] = await rows<{ runs: number; distinct_steps: number }>(
      database.db,
      sql`select count(*)::int as runs, count(distinct (workflow_id, step))::int as distinct_steps from step_runs where outcome = 'succeeded'`,
    );
    expect(Number(counts.runs)).toBe(WORKFLOWS * 11);
    expect(Number(counts.distinct_steps)).toBe(WORKFLOWS * 11);
    const [completions] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from audit_events where to_status = 'COMPLETED'`,
    );
    expect(Number(completions.n)).toBe(WORKFLOWS);

    // No step of a workflow ran in both processes at the same time.
    const [overlaps] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from step_runs a join step_runs b
          on a.workflow_id = b.workflow_id and a.worker_id <> b.worker_id and a.id < b.id
          and a.started_at < b.finished_at and b.started_at < a.finished_at`,
    );
    expect(Number(overlaps.n)).toBe(0);
    const perWorker = await rows<{ worker_id: string; n: number }>(
      database.db,
      sql`select worker_id, count(*)::int as n from step_runs group by worker_id`,
    );
    expect(perWorker.map((w) => w.worker_id).sort()).toEqual(['replica-1', 'replica-2']);

    for (const id of ids) expect(appsScript.countByType('create_assessment_assets', id)).toBe(1);
    expect(presgen.core.stats().jobsCreated).toBe(WORKFLOWS);
    expect(presgen.avatar.stats().jobsCreated).toBe(WORKFLOWS);
  }, 180_000);
});
