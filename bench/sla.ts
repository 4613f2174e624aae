import { sql } from 'drizzle-orm';
import { rows, type Database } from '../backend/db/client';
import { startRealPresgenSimulator } from '../backend/simulators/presgen-real-simulator';
import { startPresgenSimulator } from '../backend/simulators/presgen-simulator';
import { createTestDatabase } from '../tests/support/postgres';
import { benchRequest, createWorkflows, startBenchBackend, waitForCompletion } from './harness';
import { fmt, percentile } from './stats';

/**
 * Issue 5's SLA simulation: 5-course workflows with realistic PresGen latencies (Core ~4 min per
 * deck, Avatar ~8 min per video, +-25 % jitter), time-scaled so that one simulated minute takes
 * 200 ms (the engine's own overhead is real time, not scaled). Prints the active-phase makespan
 * (submission to deliverables ready) against the critical path (the longest deck+video chain) and against the 30-minute SLA, then the P95 of
 * 50 such workflows at once under the global PresGen concurrency cap.
 *
 * `protocol: 'presgen'` runs the same on the real, synchronous PresGen APIs (POST /render and
 * /training/presentation-only held open for the whole render, simulated without jitter): there a
 * render's duration is its submission's (presgen_submissions), as the fan-out item only learns
 * of the job when the call returns.
 */
const MS_PER_SIMULATED_MINUTE = 200;
const SCALE = MS_PER_SIMULATED_MINUTE / 60_000;
const SLA_MINUTES = 30;
const toMinutes = (scaledMs: number) => scaledMs / MS_PER_SIMULATED_MINUTE;

interface Makespan {
  id: string;
  makespanMs: number;
  criticalPathMs: number;
}

async function makespans(database: Database, ids: string[], protocol: SlaProtocol): Promise<Makespan[]> {
  const renders =
    protocol === 'jobs'
      ? sql`select workflow_id, item_index, extract(epoch from (finished_at - submitted_at)) * 1000 as ms from fanout_items where workflow_id in ${ids}`
      : sql`select workflow_id, split_part(idempotency_key, ':', 3)::int as item_index, extract(epoch from (finished_at - started_at)) * 1000 as ms
            from presgen_submissions where workflow_id in ${ids} and outcome = 'succeeded'`;
  const result = await rows<{ id: string; makespan_ms: number; critical_ms: number }>(
    database.db,
    sql`with renders as (${renders}), chains as (
          select workflow_id, item_index, sum(ms) as chain_ms from renders group by workflow_id, item_index
        )
        select w.id, extract(epoch from (w.completed_at - w.submitted_at)) * 1000 as makespan_ms, max(c.chain_ms) as critical_ms
        from workflows w join chains c on c.workflow_id = w.id group by w.id, w.completed_at, w.submitted_at`,
  );
  return result.map((r) => ({ id: r.id, makespanMs: Number(r.makespan_ms), criticalPathMs: Number(r.critical_ms) }));
}

export type SlaProtocol = 'jobs' | 'presgen';

async function startServices(protocol: SlaProtocol) {
  if (protocol === 'jobs') {
    const core = await startPresgenSimulator({ kind: 'core', jobMs: 4 * 60_000, timeScale: SCALE, jitter: 0.25 });
    const avatar = await startPresgenSimulator({ kind: 'avatar', jobMs: 8 * 60_000, timeScale: SCALE, jitter: 0.25 });
    return { core, avatar, maxConcurrent: () => [core.stats().maxConcurrentJobs, avatar.stats().maxConcurrentJobs], env: {} };
  }
  const core = await startRealPresgenSimulator({ kind: 'core', renderMs: 4 * 60_000, timeScale: SCALE });
  const avatar = await startRealPresgenSimulator({ kind: 'core', videoMs: 8 * 60_000, timeScale: SCALE });
  return {
    core,
    avatar,
    maxConcurrent: () => [core.stats().maxInFlight, avatar.stats().maxInFlight],
    env: { PRESGEN_CORE_PROTOCOL: 'presgen', PRESGEN_AVATAR_PROTOCOL: 'presgen-training' },
  };
}

export async function runSlaSimulation(opts: { concurrentWorkflows: number; cap?: number; protocol?: SlaProtocol }): Promise<void> {
  const cap = opts.cap ?? 100;
  const protocol = opts.protocol ?? 'jobs';
  const db = await createTestDatabase('presgen_sla');
  const { core, avatar, maxConcurrent, env } = await startServices(protocol);
  const backend = await startBenchBackend({
    ...env,
    DATABASE_URL: db.url,
    PRESGEN_CORE_URL: core.url,
    PRESGEN_AVATAR_URL: avatar.url,
    PRESGEN_POLL_MS: '10',
    PRESGEN_CORE_CONCURRENCY: String(cap),
    PRESGEN_AVATAR_CONCURRENCY: String(cap),
  });
  const { database } = backend.runtime;
  try {
    const single = await createWorkflows(database, 1, benchRequest(5, 10));
    await waitForCompletion(database, single, 120_000);
    const [one] = await makespans(database, single, protocol);

    const many = await createWorkflows(database, opts.concurrentWorkflows, benchRequest(5, 10));
    await waitForCompletion(database, many, 15 * 60_000);
    const all = await makespans(database, many, protocol);
    const p95 = percentile(
      all.map((m) => m.makespanMs),
      95,
    );

    const label = protocol === 'jobs' ? 'job contract, +-25 % jitter' : 'real synchronous APIs: /render + /training/presentation-only';
    console.log(`\n== SLA simulation (${label}): 5 courses, Core ~4 min/deck, video ~8 min, 1 min = ${MS_PER_SIMULATED_MINUTE} ms ==`);
    console.log(`single workflow makespan  ${fmt(toMinutes(one.makespanMs), 2)} min (simulated)`);
    console.log(`critical path             ${fmt(toMinutes(one.criticalPathMs), 2)} min (longest deck+video chain)`);
    console.log(`makespan / critical path  ${fmt(one.makespanMs / one.criticalPathMs, 3)}   (target <= 1.15)`);
    console.log(
      `makespan / SLA            ${fmt(toMinutes(one.makespanMs), 2)} of ${SLA_MINUTES} min (${one.makespanMs / MS_PER_SIMULATED_MINUTE <= SLA_MINUTES ? 'within' : 'OVER'} SLA)`,
    );
    console.log(`${opts.concurrentWorkflows} workflows at once, cap ${cap} jobs/service:`);
    console.log(
      `  makespan P50 / P95      ${fmt(
        toMinutes(
          percentile(
            all.map((m) => m.makespanMs),
            50,
          ),
        ),
        2,
      )} / ${fmt(toMinutes(p95), 2)} min (SLA ${SLA_MINUTES} min: ${toMinutes(p95) <= SLA_MINUTES ? 'met' : 'MISSED'})`,
    );
    const [maxCore, maxAvatar] = maxConcurrent();
    console.log(`  max concurrent renders  core ${maxCore}, video ${maxAvatar} (cap ${cap})`);
  } finally {
    await backend.stop();
    await core.close();
    await avatar.close();
    await db.drop();
  }
}
