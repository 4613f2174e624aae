import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, rows, type Database } from '../../backend/db/client';
import { rootLogger } from '../../backend/observability/logger';
import { ensureFanoutItems, listFanoutItems, type FanoutItemRow, type FanoutService } from '../../backend/workflow/fanout/fanout-store';
import { FanoutWorker, type FanoutWorkerOptions, type JobClient } from '../../backend/workflow/fanout/fanout-worker';
import { TransientError } from '../../backend/errors';
import { eventually } from '../support/backend';
import { newFakeWorkflow } from '../support/fake-engine';

/**
 * The fan-out worker on its own: the real worker and store on PGlite (memory://, the shipped
 * migrations), with scripted in-memory PresGen job clients. No HTTP, no simulators.
 */

/** What a fake job does; carried in the item's request so each item has its own script. */
type Scenario =
  | 'ok' // succeeds on its first poll
  | 'slow' // runs for three polls, then succeeds
  | 'retryable-then-ok' // the first job fails retryably, the resubmitted one succeeds
  | 'permanent' // the job fails for good
  | 'stuck-then-ok' // the first job never finishes (timeout: cancel, resubmit), the second succeeds
  | 'circuit-open-then-ok'; // the first submits meet an open circuit, then one goes through

const CIRCUIT_OPEN_SUBMITS = 5;

interface FakeJob {
  id: string;
  key: string;
  scenario: Scenario;
  /** Which submit of this idempotency key created it (1 = first). */
  submitNo: number;
  polls: number;
  finished: boolean;
}

/** A scripted PresGen: records every call and counts jobs submitted and not yet finished. */
class FakeJobClient implements JobClient {
  readonly calls: { op: 'submit' | 'poll' | 'cancel'; key: string; jobId?: string }[] = [];
  readonly jobs = new Map<string, FakeJob>();
  private readonly submitsByKey = new Map<string, number>();
  unfinished = 0;
  maxUnfinished = 0;

  async submit(input: never, key: string): Promise<{ jobId: string; status: string }> {
    const scenario = (input as { scenario: Scenario }).scenario;
    const submitNo = (this.submitsByKey.get(key) ?? 0) + 1;
    this.submitsByKey.set(key, submitNo);
    if (scenario === 'circuit-open-then-ok' && submitNo <= CIRCUIT_OPEN_SUBMITS) {
      this.calls.push({ op: 'submit', key });
      throw new TransientError('presgen_core: circuit open', { reason: 'circuit_open', retryAfterMs: 1 });
    }
    const job: FakeJob = { id: `job-${this.jobs.size + 1}`, key, scenario, submitNo, polls: 0, finished: false };
    this.jobs.set(job.id, job);
    this.calls.push({ op: 'submit', key, jobId: job.id });
    this.unfinished++;
    this.maxUnfinished = Math.max(this.maxUnfinished, this.unfinished);
    return { jobId: job.id, status: 'queued' };
  }

  async pollStatus(jobId: string): ReturnType<JobClient['pollStatus']> {
    const job = this.jobs.get(jobId)!;
    this.calls.push({ op: 'poll', key: job.key, jobId });
    job.polls++;
    const first = job.submitNo === 1;
    switch (job.scenario) {
      case 'slow':
        return job.polls < 3 ? { status: 'running' } : this.finish(job, { status: 'succeeded', result: { url: `fake://${jobId}` } });
      case 'retryable-then-ok':
        return first
          ? this.finish(job, { status: 'failed', error: { code: 'RENDER_CRASHED', message: 'renderer crashed', retryable: true } })
          : this.finish(job, { status: 'succeeded', result: { url: `fake://${jobId}` } });
      case 'permanent':
        return this.finish(job, { status: 'failed', error: { code: 'BAD_OUTLINE', message: 'outline rejected', retryable: false } });
      case 'stuck-then-ok':
        return first ? { status: 'running' } : this.finish(job, { status: 'succeeded', result: { url: `fake://${jobId}` } });
      default:
        return this.finish(job, { status: 'succeeded', result: { url: `fake://${jobId}` } });
    }
  }

  async cancel(jobId: string): Promise<unknown> {
    const job = this.jobs.get(jobId)!;
    this.calls.push({ op: 'cancel', key: job.key, jobId });
    this.finish(job, { status: 'cancelled' });
    return { status: 'cancelled' };
  }

  callsFor(key: string, op: 'submit' | 'poll' | 'cancel') {
    return this.calls.filter((c) => c.key === key && c.op === op);
  }

  private finish<T>(job: FakeJob, answer: T): T {
    if (!job.finished) {
      job.finished = true;
      this.unfinished--;
    }
    return answer;
  }
}

describe('fan-out worker with fake job clients (PGlite, no HTTP)', () => {
  let database: Database;
  const workers: FanoutWorker[] = [];

  beforeAll(async () => {
    rootLogger().level = process.env.TEST_LOG_LEVEL ?? 'silent';
    database = await openDatabase({});
  });
  afterEach(async () => {
    await Promise.allSettled(workers.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await database?.close();
  });

  async function startWorker(core: FakeJobClient, opts: Partial<FanoutWorkerOptions> = {}): Promise<FanoutWorker> {
    const worker = new FanoutWorker({
      database,
      workerId: `fanout-test-${workers.length + 1}`,
      clients: { presgen_core: core, presgen_avatar: new FakeJobClient() },
      caps: { presgen_core: 8, presgen_avatar: 8 },
      leaseMs: 5_000,
      pollMs: 2,
      jobTimeoutMs: 60_000,
      maxAttempts: 3,
      retryBaseMs: 1,
      retryMaxMs: 5,
      ...opts,
    });
    workers.push(worker);
    await worker.start();
    return worker;
  }

  /** A workflow with one PresGen Core item per scenario on step 9. */
  async function workflowWithItems(scenarios: Scenario[], service: FanoutService = 'presgen_core') {
    const workflowId = await newFakeWorkflow(database);
    await ensureFanoutItems(
      database.db,
      workflowId,
      'GENERATING_PRESENTATIONS',
      service,
      scenarios.map((scenario, itemIndex) => ({ itemIndex, input: { request: { scenario } } })),
    );
    return workflowId;
  }

  async function finishedItems(workflowId: string): Promise<FanoutItemRow[]> {
    return eventually(
      async () => {
        const items = await listFanoutItems(database.db, workflowId);
        return items.every((i) => ['succeeded', 'failed', 'cancelled'].includes(i.status)) ? items : undefined;
      },
      { what: 'every fan-out item finished', intervalMs: 5, timeoutMs: 15_000 },
    );
  }

  async function wakeSeq(workflowId: string): Promise<number> {
    const [row] = await rows<{ wake_seq: number }>(database.db, sql`select wake_seq from workflows where id = ${workflowId}`);
    return Number(row.wake_seq);
  }

  it('succeeds, retries a retryable failure on a new job, gives up a permanent one; wakes the workflow when nothing is left', async () => {
    const core = new FakeJobClient();
    const workflowId = await workflowWithItems(['ok', 'retryable-then-ok', 'permanent']);
    const wakesBefore = await wakeSeq(workflowId);
    await startWorker(core);
    const [ok, retried, permanent] = await finishedItems(workflowId);

    expect(ok).toMatchObject({ status: 'succeeded', attempt: 1, result: { url: expect.stringMatching(/^fake:\/\/job-/) } });
    expect(core.callsFor(ok.idempotencyKey, 'submit')).toHaveLength(1);

    expect(retried).toMatchObject({ status: 'succeeded', attempt: 2 });
    // Both jobs were submitted under the item's one idempotency key.
    expect(core.callsFor(retried.idempotencyKey, 'submit')).toHaveLength(2);

    expect(permanent).toMatchObject({ status: 'failed', attempt: 1, result: { failure: 'permanent' } });
    expect(permanent.lastError).toMatch(/BAD_OUTLINE/);
    expect(core.callsFor(permanent.idempotencyKey, 'submit')).toHaveLength(1);

    expect(core.unfinished).toBe(0);
    // The permanent failure wakes the workflow at once (so it can fail fast), the last finish
    // wakes it again unless the failure was itself the last: one or two wakes, never one per item.
    const wakes = (await wakeSeq(workflowId)) - wakesBefore;
    expect(wakes).toBeGreaterThanOrEqual(1);
    expect(wakes).toBeLessThanOrEqual(2);
  });

  it('wakes the workflow exactly once when its step has nothing left (all items succeed)', async () => {
    const core = new FakeJobClient();
    const workflowId = await workflowWithItems(['ok', 'slow', 'ok', 'slow']);
    const wakesBefore = await wakeSeq(workflowId);
    await startWorker(core);
    const items = await finishedItems(workflowId);
    expect(items.map((i) => i.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect((await wakeSeq(workflowId)) - wakesBefore).toBe(1);
  });

  it('a stuck job is cancelled after the job timeout and resubmitted under the same key', async () => {
    const core = new FakeJobClient();
    const workflowId = await workflowWithItems(['stuck-then-ok']);
    await startWorker(core, { jobTimeoutMs: 30 });
    const [item] = await finishedItems(workflowId);
    expect(item).toMatchObject({ status: 'succeeded', attempt: 2 });
    const submits = core.callsFor(item.idempotencyKey, 'submit');
    expect(submits).toHaveLength(2);
    // Exactly the stuck (first) job was cancelled, and only once.
    expect(core.callsFor(item.idempotencyKey, 'cancel')).toEqual([{ op: 'cancel', key: item.idempotencyKey, jobId: submits[0].jobId }]);
    expect(core.callsFor(item.idempotencyKey, 'poll').length).toBeGreaterThan(1); // it was polled until it timed out
  });

  it('an open circuit delays the submit without spending attempts', async () => {
    const core = new FakeJobClient();
    const workflowId = await workflowWithItems(['circuit-open-then-ok']);
    // More refused submits than the attempt budget: were they counted, the item would fail.
    await startWorker(core, { maxAttempts: 2 });
    const [item] = await finishedItems(workflowId);
    expect(core.callsFor(item.idempotencyKey, 'submit')).toHaveLength(CIRCUIT_OPEN_SUBMITS + 1);
    expect(item).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('two workers never have more than the global cap of jobs submitted and unfinished', async () => {
    const core = new FakeJobClient();
    const ITEMS = 7;
    const workflowId = await workflowWithItems(Array.from({ length: ITEMS }, () => 'slow' as const));
    const caps = { presgen_core: 2, presgen_avatar: 2 };
    // Both workers share the fake, so its count is the count across "replicas".
    await startWorker(core, { caps });
    await startWorker(core, { caps });
    const items = await finishedItems(workflowId);
    expect(items.map((i) => i.status)).toEqual(Array.from({ length: ITEMS }, () => 'succeeded'));
    expect(core.calls.filter((c) => c.op === 'submit')).toHaveLength(ITEMS);
    expect(core.maxUnfinished).toBe(2); // the cap was reached, and never exceeded
    expect(core.unfinished).toBe(0);
  });
});
