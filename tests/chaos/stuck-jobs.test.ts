import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../backend/db/client';
import type { PresgenSimulator } from '../../backend/simulators/presgen-simulator';
import { createWorkflows, startChaosStack, submitAll, waitForAll, type ChaosStack } from './support/chaos-stack';
import { doubleStepRuns, doubleTransitions, statusCounts } from './support/invariants';

/**
 * Stuck jobs: some PresGen jobs never finish. Past PRESGEN_JOB_TIMEOUT_MS the backend cancels
 * each one and submits again under the SAME idempotency key; PresGen starts a fresh job under the
 * key (the old one is cancelled), so every course ends with exactly one finished deck and video.
 */
describe('chaos: stuck PresGen jobs', () => {
  const WORKFLOWS = 2;
  const COURSES = 2;
  const STUCK = { core: 2, avatar: 1 };
  const JOB_TIMEOUT_MS = 300;
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await startChaosStack({
      jobMs: 30,
      env: { PRESGEN_JOB_TIMEOUT_MS: String(JOB_TIMEOUT_MS), RETRY_BASE_MS: '50', RETRY_MAX_MS: '300' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Per key: how many jobs were made, and the state of the one the key points to now. */
  async function jobsPerKey(
    sim: PresgenSimulator,
  ): Promise<Array<{ key: string; jobsCreated: number; current: string; currentUrl: string }>> {
    const out = [];
    for (const [key, k] of Object.entries(sim.stats().jobsByIdempotencyKey)) {
      const view = (await (await fetch(`${sim.url}/v1/jobs/${k.jobId}`)).json()) as { status: string; result?: { url: string } };
      out.push({ key, jobsCreated: k.jobsCreated, current: view.status, currentUrl: view.result?.url ?? '' });
    }
    return out;
  }

  it('cancels and resubmits a stuck job under the same key, leaving one deck and one video per course', async () => {
    const { api, database, presgen } = stack;
    const ids = await createWorkflows(api, WORKFLOWS, COURSES);
    await waitForAll(database, ids, 'AWAITING_COMPLETION');
    presgen.core.injectFaults({ stuckJobs: STUCK.core });
    presgen.avatar.injectFaults({ stuckJobs: STUCK.avatar });
    await submitAll(api, database, ids);
    await waitForAll(database, ids, 'COMPLETED', 45_000);
    expect(await statusCounts(database, ids)).toEqual({ COMPLETED: WORKFLOWS });
    expect(await doubleStepRuns(database)).toEqual([]);
    expect(await doubleTransitions(database)).toEqual([]);

    const items = await rows<{ idempotency_key: string; service: string; status: string; attempt: number; result: { url: string } }>(
      database.db,
      sql`select idempotency_key, service, status, attempt, result from fanout_items`,
    );
    expect(items).toHaveLength(WORKFLOWS * COURSES * 2);
    expect(items.every((i) => i.status === 'succeeded')).toBe(true);

    for (const [kind, sim] of [
      ['core', presgen.core],
      ['avatar', presgen.avatar],
    ] as const) {
      const keys = await jobsPerKey(sim);
      const stats = sim.stats();
      // One key per course; the stuck ones got exactly one replacement job, the old one cancelled.
      expect(keys).toHaveLength(WORKFLOWS * COURSES);
      expect(keys.filter((k) => k.jobsCreated === 2)).toHaveLength(STUCK[kind]);
      expect(keys.filter((k) => k.jobsCreated === 1)).toHaveLength(WORKFLOWS * COURSES - STUCK[kind]);
      expect(stats.jobsCreated).toBe(WORKFLOWS * COURSES + STUCK[kind]);
      expect(stats.jobsCancelled).toBe(STUCK[kind]);
      // Exactly one finished job per key, and it is the deck/video the workflow delivers.
      expect(keys.every((k) => k.current === 'succeeded')).toBe(true);
      for (const k of keys) {
        const item = items.find((i) => i.idempotency_key === k.key);
        expect(item?.result.url).toBe(k.currentUrl);
      }
    }
    const resubmitted = items.filter((i) => i.attempt === 2).length;
    expect(resubmitted).toBe(STUCK.core + STUCK.avatar);
    console.log(
      `[chaos] stuck jobs: ${STUCK.core} decks + ${STUCK.avatar} video stuck (timeout ${JOB_TIMEOUT_MS} ms): ${presgen.core.stats().cancelRequests + presgen.avatar.stats().cancelRequests} cancels, ` +
        `${resubmitted} resubmits under the same key, ${WORKFLOWS * COURSES} decks + ${WORKFLOWS * COURSES} videos, 1 finished job per key, all ${WORKFLOWS} workflows completed`,
    );
  }, 60_000);
});
