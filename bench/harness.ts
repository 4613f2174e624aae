import { sql } from 'drizzle-orm';
import { loadConfig } from '../backend/config';
import { rows, type Database } from '../backend/db/client';
import { createWorkflow } from '../backend/db/repositories/workflow-repository';
import { startRuntime, type Runtime } from '../backend/runtime';
import { WAKE_CHANNEL } from '../backend/leased-work/wake-channel';
import type { CreateWorkflowRequest } from '../shared/contracts/api';
import { InstantWorkspace } from './instant-workspace';

/** One in-process backend (engine + fan-out, no HTTP) with the instant Apps Script, for the benchmark. */

export const OWNER = { ownerEmail: 'bench@school.example', ownerSub: 'bench' };

export interface BenchBackend {
  runtime: Runtime;
  workspace: InstantWorkspace;
  stop(): Promise<void>;
}

/** The throughput setting: zero-latency simulators in their own process, caps out of the way, 1 ms polls. */
export function throughputEnv(
  databaseUrl: string,
  presgen: { coreUrl: string; avatarUrl: string },
  concurrency: number,
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '20',
    PRESGEN_CORE_URL: presgen.coreUrl,
    PRESGEN_AVATAR_URL: presgen.avatarUrl,
    ENGINE_CONCURRENCY: String(concurrency),
    PRESGEN_CORE_CONCURRENCY: '500',
    PRESGEN_AVATAR_CONCURRENCY: '500',
    PRESGEN_POLL_MS: '1',
  };
}

export async function startBenchBackend(env: Record<string, string | undefined>): Promise<BenchBackend> {
  // Bench workflows are identical requests: the content cache would turn them into one render.
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    LEASE_MS: '30000',
    PRESGEN_CORE_PROTOCOL: 'jobs',
    PRESGEN_AVATAR_PROTOCOL: 'jobs',
    CONTENT_CACHE_ENABLED: 'false',
    ...env,
  });
  const runtime = await startRuntime(config, { listen: false });
  const workspace = new InstantWorkspace(runtime.database, runtime.deps.commands, OWNER.ownerEmail);
  await workspace.start();
  return {
    runtime,
    workspace,
    async stop() {
      await workspace.stop();
      await runtime.stop();
    },
  };
}

export function benchRequest(courseCount: number, slidesPerCourse = 3): CreateWorkflowRequest {
  return {
    certificationId: 'aws-saa-c03',
    learnerEmail: 'learner@example.com',
    courseCount,
    slidesPerCourse,
    avatarVideos: true,
    shareWithLearner: true,
    spreadsheetId: 'bench-sheet',
  };
}

export async function createWorkflows(database: Database, count: number, request: CreateWorkflowRequest): Promise<string[]> {
  const ids: string[] = [];
  const batch = 25;
  for (let i = 0; i < count; i += batch) {
    const created = await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, () => createWorkflow(database.db, { ...OWNER, request })),
    );
    ids.push(...created.map((c) => c.workflow.id));
    await database.notify(WAKE_CHANNEL.workflows);
  }
  return ids;
}

/**
 * Polls until every workflow completed. Returns how many queries it ran, so a transaction count
 * taken around it can leave the bench's own polling out.
 */
export async function waitForCompletion(database: Database, ids: string[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let queries = 0;
  while (Date.now() < deadline) {
    queries++;
    const [r] = await rows<{ done: number; bad: number }>(
      database.db,
      sql`select count(*) filter (where status = 'COMPLETED')::int as done,
                 count(*) filter (where status in ('FAILED','NEEDS_ATTENTION','CANCELLED','EXPIRED'))::int as bad
          from workflows where id in ${ids}`,
    );
    if (Number(r.bad) > 0) throw new Error(`${r.bad} workflows ended without completing`);
    if (Number(r.done) === ids.length) return queries;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`timed out waiting for ${ids.length} workflows`);
}

/**
 * Hand-off latency: from a step's checkpoint commit to the start of the next step's first run,
 * per workflow, read from the step-run timeline.
 */
export async function handoffLatenciesMs(database: Database, ids: string[]): Promise<number[]> {
  const result = await rows<{ ms: number }>(
    database.db,
    sql`with firsts as (
          select workflow_id, step, min(started_at) as started_at from step_runs where workflow_id in ${ids} group by workflow_id, step
        ), done as (
          select workflow_id, step, finished_at from step_runs where workflow_id in ${ids} and outcome = 'succeeded'
        ), ordered as (
          select d.workflow_id, d.finished_at,
                 lead(f.started_at) over (partition by d.workflow_id order by f.started_at) as next_started
          from done d join firsts f on f.workflow_id = d.workflow_id and f.step = d.step
        )
        select extract(epoch from (next_started - finished_at)) * 1000 as ms from ordered where next_started is not null`,
  );
  return result.map((r) => Number(r.ms));
}
