import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { seededRandom } from '../../backend/assessment/seeded-random';
import { openDatabase, rows, type Database } from '../../backend/db/client';
import { startLocalPresgen, type LocalPresgen } from '../../backend/simulators/start-simulators';
import { STEP_STATUSES } from '../../shared/workflow-status';
import { TestApiClient } from '../support/api-client';
import { TEST_ADMIN_TOKEN, eventually } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { submissionFor } from '../support/learner';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { ScriptedAppsScript } from '../support/scripted-apps-script';
import { INSTRUCTOR } from './support/chaos-stack';
import { doubleStepRuns, doubleTransitions, keysWithExtraJobs, statusCounts, succeededStepsPerWorkflow } from './support/invariants';
import { onAnyReplica, ReplicaPool, type KillRecord } from './support/replica-pool';
import { teardown } from '../support/teardown';

/**
 * Replica kills: three backend replicas (child processes) share one Postgres and run 100
 * workflows while a seeded schedule SIGKILLs one replica at a time and a supervisor restarts it.
 * All 100 complete; at the stand-in add-on exactly one create_assessment_assets command per
 * workflow (distinct command ids: a completion racing a kill may make the add-on run the same
 * command twice, which the protocol makes harmless); at the simulators exactly one deck and one
 * video job per course.
 */
describe('chaos: replica kills', () => {
  const WORKFLOWS = 100;
  const REPLICAS = 3;
  const KILLS = 5;
  const SEED = 'chaos-replica-kills-1';
  const LEASE_MS = 1500;
  let identity: TestIdentityProvider;
  let pg: TestDatabase;
  let presgen: LocalPresgen;
  let database: Database;
  let pool: ReplicaPool;

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    pg = await createTestDatabase('presgen_chaos');
    presgen = await startLocalPresgen({ jobMs: 300, jitter: 0.2 });
    database = await openDatabase({ databaseUrl: pg.url, poolSize: 4 });
    pool = new ReplicaPool(
      REPLICAS,
      {
        DATABASE_URL: pg.url,
        DATABASE_POOL_SIZE: '5',
        GOOGLE_JWKS_URL: identity.jwksUrl,
        GOOGLE_OAUTH_AUDIENCES: identity.audience,
        ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        PRESGEN_CORE_URL: presgen.core.url,
        PRESGEN_AVATAR_URL: presgen.avatar.url,
        // The invariants count jobs per idempotency key on the jobs-contract simulators.
        PRESGEN_CORE_PROTOCOL: 'jobs',
        PRESGEN_AVATAR_PROTOCOL: 'jobs',
        CONTENT_CACHE_ENABLED: 'false',
        PRESGEN_POLL_MS: '100',
        LEASE_MS: String(LEASE_MS),
        RETRY_BASE_MS: '100',
        RETRY_MAX_MS: '1000',
        COMMAND_LEASE_MS: '2000',
      },
      database,
    );
    await pool.start();
  }, 90_000);
  afterAll(async () => {
    await teardown(
      () => pool?.stop(),
      () => database?.close(),
      () => presgen?.close(),
      () => pg?.drop(),
      () => identity?.close(),
    );
  });

  it(`${WORKFLOWS} workflows complete through ${KILLS} SIGKILLs: one form per workflow, one deck and one video per course`, async () => {
    const random = seededRandom(SEED);
    const api = new TestApiClient('', () => identity.signIdToken({ email: INSTRUCTOR }));
    Object.defineProperty(api, 'baseUrl', { get: () => pool.url() });
    const appsScript = new ScriptedAppsScript(api, { intervalMs: 20 });
    appsScript.start();
    const started = Date.now();

    // Instructors start 100 assessments (requestId makes a create retried on another replica harmless).
    const ids: string[] = [];
    const courses = new Map<string, number>();
    for (let i = 0; i < WORKFLOWS; i++) {
      const courseCount = 1 + (i % 2);
      const res = await onAnyReplica(async () => {
        const r = await api.createWorkflow({
          requestId: `chaos-${i}`,
          certificationId: i % 2 ? 'aws-saa-c03' : 'comptia-security-plus-sy0-701',
          learnerEmail: `l${i}@example.com`,
          courseCount,
          slidesPerCourse: 2,
          spreadsheetId: 'sheet-chaos',
        });
        if (r.status !== 201 && r.status !== 200) throw new Error(`create: ${r.status}`);
        return r;
      });
      ids.push(res.body.id);
      courses.set(res.body.id, courseCount);
    }
    expect(new Set(ids).size).toBe(WORKFLOWS);

    // Learners answer as their forms arrive; the kill schedule runs alongside.
    const submitted = new Set<string>();
    let learnersDone = false;
    const learners = (async () => {
      while (!learnersDone) {
        const waiting = await rows<{ id: string }>(database.db, sql`select id from workflows where status = 'AWAITING_COMPLETION'`);
        for (const { id } of waiting.filter((w) => !submitted.has(w.id))) {
          const res = await api.submitForm(await submissionFor(database, id, 'half')).catch(() => undefined);
          if (res?.status === 202) submitted.add(id);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const kills = (async () => {
      for (let k = 0; k < KILLS; k++) {
        await new Promise((r) => setTimeout(r, 1000 + Math.floor(random() * 1500)));
        const victim = Math.floor(random() * REPLICAS);
        // Most of the time a replica holds no lease (parked workflows cost nothing); wait a
        // little (bounded) for the victim to be mid-step so the kill takes real work with it.
        await eventually(async () => (await pool.leasesHeld(victim)) > 0, { timeoutMs: 3000, intervalMs: 10 }).catch(() => undefined);
        await pool.killOne(victim);
      }
    })();

    try {
      await kills;
      await eventually(
        async () => {
          const [r] = await rows<{ n: number }>(
            database.db,
            sql`select count(*)::int as n from workflows where status in ('COMPLETED','FAILED','NEEDS_ATTENTION','CANCELLED','EXPIRED')`,
          );
          return Number(r.n) === WORKFLOWS;
        },
        { what: `${WORKFLOWS} workflows finished`, timeoutMs: 150_000, intervalMs: 250 },
      );
    } finally {
      learnersDone = true;
      await learners;
      await appsScript.stop();
    }
    const elapsedMs = Date.now() - started;

    // All 100 complete, every step once.
    expect(await statusCounts(database)).toEqual({ COMPLETED: WORKFLOWS });
    const steps = await succeededStepsPerWorkflow(database);
    for (const id of ids) expect(steps.get(id)).toBe(STEP_STATUSES.length);
    const doubleSteps = await doubleStepRuns(database);
    const doubleMoves = await doubleTransitions(database);

    // One form per workflow at the add-on: distinct create commands executed.
    const createIds = new Map<string, Set<string>>();
    for (const c of appsScript.executed.filter((c) => c.type === 'create_assessment_assets')) {
      createIds.set(c.workflowId, (createIds.get(c.workflowId) ?? new Set()).add(c.id));
    }
    const formsPerWorkflow = ids.map((id) => createIds.get(id)?.size ?? 0);
    const reExecuted = appsScript.executed.length - new Set(appsScript.executed.map((c) => c.id)).size;

    // One deck and one video per course at the simulators.
    const core = presgen.core.stats();
    const avatar = presgen.avatar.stats();
    const expectedJobs = [...courses.values()].reduce((a, b) => a + b, 0);
    const extraDecks = keysWithExtraJobs(core);
    const extraVideos = keysWithExtraJobs(avatar);

    const duplicates =
      doubleSteps.length + doubleMoves.length + formsPerWorkflow.filter((n) => n > 1).length + extraDecks.length + extraVideos.length;
    expect(doubleSteps).toEqual([]);
    expect(doubleMoves).toEqual([]);
    expect(formsPerWorkflow.every((n) => n === 1)).toBe(true);
    expect(Object.keys(core.jobsByIdempotencyKey)).toHaveLength(expectedJobs);
    expect(Object.keys(avatar.jobsByIdempotencyKey)).toHaveLength(expectedJobs);
    expect(extraDecks).toEqual([]);
    expect(extraVideos).toEqual([]);
    expect(core.jobsCreated).toBe(expectedJobs);
    expect(avatar.jobsCreated).toBe(expectedJobs);
    expect(pool.kills).toHaveLength(KILLS);

    // Takeover: from each kill to the next step run of a workflow the killed replica had leased.
    const takeovers = await takeoverTimes(database, pool.kills);
    const measured = takeovers.filter((t): t is number => t !== undefined);
    const [retries] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from step_runs where outcome = 'retrying'`);
    const [resubmits] = await rows<{ n: number }>(database.db, sql`select coalesce(sum(attempt - 1), 0)::int as n from fanout_items`);
    const workers = await rows<{ worker_id: string }>(database.db, sql`select distinct worker_id from step_runs`);
    expect(workers.length).toBeGreaterThan(REPLICAS); // killed incarnations and their successors all did work
    console.log(
      `[chaos] replica kills: ${WORKFLOWS} workflows (${expectedJobs} courses) on ${REPLICAS} replicas, ${pool.kills.length} SIGKILLs (seed ${SEED}, lease ${LEASE_MS} ms), ` +
        `all completed in ${elapsedMs} ms; step retries ${Number(retries.n)}, PresGen resubmits ${Number(resubmits.n)}, add-on re-executions ${reExecuted}, duplicates ${duplicates}; ` +
        `takeover after kill (ms): ${takeovers.map((t) => (t === undefined ? 'n/a' : t)).join(', ')}` +
        (measured.length ? ` (max ${Math.max(...measured)})` : '') +
        `; leases held at kill: ${pool.kills.map((k) => `${k.leasedWorkflows.length} workflows/${k.leasedItems} jobs`).join(', ')}`,
    );
  }, 240_000);
});

/**
 * For each kill: ms from the SIGKILL until every workflow the victim had leased ran a step again
 * (on another replica or the victim's successor); undefined when it held none.
 */
async function takeoverTimes(database: Database, kills: KillRecord[]): Promise<Array<number | undefined>> {
  const out: Array<number | undefined> = [];
  for (const kill of kills) {
    if (kill.leasedWorkflows.length === 0) {
      out.push(undefined);
      continue;
    }
    const [r] = await rows<{ last_ms: number | null }>(
      database.db,
      sql`select max(first_ms) as last_ms from (
            select min(extract(epoch from started_at) * 1000) as first_ms from step_runs
            where workflow_id in ${kill.leasedWorkflows} and worker_id <> ${kill.workerId} and started_at >= to_timestamp(${kill.at / 1000})
            group by workflow_id) t`,
    );
    out.push(r.last_ms === null ? undefined : Math.round(Number(r.last_ms) - kill.at));
  }
  return out;
}
