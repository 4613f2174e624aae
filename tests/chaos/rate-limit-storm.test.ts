import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkflows, startChaosStack, submitAll, waitForAll, type ChaosStack } from './support/chaos-stack';
import { doubleStepRuns, doubleTransitions, keysWithExtraJobs, statusCounts } from './support/invariants';
import { worstWindow } from './support/rate-window';
import { startRecordingProxy, type RecordedRequest, type RecordingProxy } from './support/recording-proxy';

/**
 * 429 storm: PresGen answers 429 with Retry-After: 1 to everything for a window. Each caller
 * (a fan-out item: its idempotency key for submits, its job for polls) waits at least Retry-After
 * before asking again, the backend's own rate limit holds PresGen traffic under rate × time +
 * burst throughout, and every workflow completes.
 */
describe('chaos: 429 storm', () => {
  const WORKFLOWS = 5;
  const COURSES = 2;
  const STORM_MS = 2_500;
  const RETRY_AFTER_S = 1;
  const RATE = 8;
  const BURST = 4;
  // Arrivals at the simulator can bunch by an event-loop stall of this busy, shared test process.
  const DELIVERY_SLACK_MS = 250;
  let stack: ChaosStack;
  const proxies: RecordingProxy[] = [];

  beforeAll(async () => {
    stack = await startChaosStack({
      jobMs: 100,
      presgenUrls: async (sims) => {
        const core = await startRecordingProxy(sims.core);
        const avatar = await startRecordingProxy(sims.avatar);
        proxies.push(core, avatar);
        return { core: core.url, avatar: avatar.url };
      },
      env: {
        PRESGEN_CORE_RATE_PER_SEC: String(RATE),
        PRESGEN_CORE_RATE_BURST: String(BURST),
        PRESGEN_AVATAR_RATE_PER_SEC: String(RATE),
        PRESGEN_AVATAR_RATE_BURST: String(BURST),
        // This scenario is about Retry-After and the rate limit; the outage scenario covers the breaker.
        OUTBOUND_BREAKER_FAILURES: '1000',
        RETRY_BASE_MS: '100',
        RETRY_MAX_MS: '2000',
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    for (const p of proxies) await p.close();
  });

  /** Requests that came sooner than the Retry-After of the same caller's previous 429. */
  function earlyRetries(records: RecordedRequest[]): Array<{ client: string; gapMs: number; retryAfterMs: number }> {
    const byClient = new Map<string, RecordedRequest[]>();
    for (const r of records) byClient.set(r.client, [...(byClient.get(r.client) ?? []), r]);
    const early = [];
    for (const [client, list] of byClient) {
      list.sort((a, b) => a.at - b.at);
      for (let i = 1; i < list.length; i++) {
        const prev = list[i - 1];
        if (prev.status !== 429) continue;
        const retryAfterMs = Number(prev.retryAfter ?? '0') * 1000;
        const gapMs = list[i].at - prev.at;
        if (gapMs < retryAfterMs) early.push({ client, gapMs, retryAfterMs });
      }
    }
    return early;
  }

  it('honours Retry-After per caller, stays under the rate limit, and completes every workflow', async () => {
    const { api, database, presgen } = stack;
    const ids = await createWorkflows(api, WORKFLOWS, COURSES);
    await waitForAll(database, ids, 'AWAITING_COMPLETION');
    for (const sim of [presgen.core, presgen.avatar]) {
      sim.injectFaults({ rules: [{ type: 'rate_limited', retryAfterSeconds: RETRY_AFTER_S, forMs: STORM_MS }] });
    }
    await submitAll(api, database, ids);
    await waitForAll(database, ids, 'COMPLETED', 50_000);

    expect(await statusCounts(database, ids)).toEqual({ COMPLETED: WORKFLOWS });
    expect(await doubleStepRuns(database)).toEqual([]);
    expect(await doubleTransitions(database)).toEqual([]);
    expect(keysWithExtraJobs(presgen.core.stats())).toEqual([]);
    expect(keysWithExtraJobs(presgen.avatar.stats())).toEqual([]);

    const [coreLog, avatarLog] = proxies.map((p) => p.records.filter((r) => r.operation !== 'other'));
    const throttled = [...coreLog, ...avatarLog].filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((r) => r.retryAfter === String(RETRY_AFTER_S))).toBe(true);
    const callersThrottled = new Set(throttled.map((r) => r.client)).size;

    // Retry-After honoured: no caller came back sooner than its 429 asked.
    expect(earlyRetries(coreLog)).toEqual([]);
    expect(earlyRetries(avatarLog)).toEqual([]);

    // No more requests than the limit allows, in any window, per service.
    const coreWorst = worstWindow(
      coreLog.map((r) => r.at),
      RATE,
      BURST,
      DELIVERY_SLACK_MS,
    );
    const avatarWorst = worstWindow(
      avatarLog.map((r) => r.at),
      RATE,
      BURST,
      DELIVERY_SLACK_MS,
    );
    expect(coreWorst.excess, JSON.stringify(coreWorst)).toBeLessThanOrEqual(0);
    expect(avatarWorst.excess, JSON.stringify(avatarWorst)).toBeLessThanOrEqual(0);
    // The simulator's own log agrees with the proxy: same request count.
    expect(presgen.core.stats().requests.length).toBe(coreLog.length);

    const minGap = Math.min(
      ...[coreLog, avatarLog].flatMap((log) => {
        const gaps: number[] = [];
        const byClient = new Map<string, RecordedRequest[]>();
        for (const r of log) byClient.set(r.client, [...(byClient.get(r.client) ?? []), r]);
        for (const list of byClient.values())
          for (let i = 1; i < list.length; i++) if (list[i - 1].status === 429) gaps.push(list[i].at - list[i - 1].at);
        return gaps;
      }),
    );
    console.log(
      `[chaos] 429 storm: ${WORKFLOWS} workflows x ${COURSES} courses, ${STORM_MS} ms of 429 (Retry-After ${RETRY_AFTER_S}s): ` +
        `${throttled.length} 429s to ${callersThrottled} callers, shortest retry after a 429 ${minGap} ms, 0 early retries; ` +
        `requests core ${coreLog.length} / avatar ${avatarLog.length}, busiest window core ${coreWorst.count} in ${Math.round(coreWorst.spanMs)} ms ` +
        `(limit ${RATE}/s burst ${BURST}), all completed`,
    );
  }, 90_000);
});
