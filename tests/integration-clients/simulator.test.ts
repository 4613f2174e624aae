import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPresgenSimulator, type PresgenSimulator, type SimulatorStats } from '../../backend/simulators/presgen-simulator';
import { READY_LINE_PREFIX } from '../../backend/simulators/start-simulators';
import { deckInput, sleep } from './fixtures';

let sim: PresgenSimulator;

beforeAll(async () => {
  sim = await startPresgenSimulator({ kind: 'core' });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => sim.reset());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any>, headers: res.headers };
}

const submit = (key: string, body: unknown = deckInput()) => post('/v1/presentations', body, { 'idempotency-key': key });

describe('PresGen simulator over HTTP', () => {
  it('validates submit bodies with 400 naming the field', async () => {
    const missingTitle = await submit('k1', { ...deckInput(), slides: [{ title: 'x', bullets: 'no', speakerNotes: '' }] });
    expect(missingTitle.status).toBe(400);
    expect(missingTitle.body.error.code).toBe('invalid_request');
    expect(missingTitle.body.error.message).toContain('slides.0.bullets');

    const unknownField = await submit('k2', { ...deckInput(), learnerEmail: 'x@y.z' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.message).toContain('learnerEmail');

    const noKey = await post('/v1/presentations', deckInput());
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.message).toContain('Idempotency-Key');

    const badJson = await post('/v1/presentations', '{not json', { 'idempotency-key': 'k3' });
    expect(badJson.body.error.code).toBe('invalid_json');

    const wrongKind = await post('/v1/videos', {}, { 'idempotency-key': 'k4' });
    expect(wrongKind.status).toBe(404);
    expect(sim.stats().jobsCreated).toBe(0);
  });

  it('computes job state from timestamps: jobMs 0 is done at submit, long jobs stay in flight', async () => {
    const instant = await submit('instant');
    expect(instant.status).toBe(202);
    expect(instant.body.status).toBe('succeeded');

    sim.setJobMs(50);
    const short = await submit('short');
    expect(short.body.status).toBe('queued');
    let final = '';
    for (let i = 0; i < 50 && final !== 'succeeded'; i += 1) {
      await sleep(10);
      final = ((await (await fetch(`${sim.url}/v1/jobs/${short.body.jobId}`)).json()) as { status: string }).status;
    }
    expect(final).toBe('succeeded');
  });

  it('tracks maxConcurrentJobs and activeJobs', async () => {
    sim.setJobMs(60_000);
    for (const key of ['a', 'b', 'c']) await submit(key);
    const cancel = await post(`/v1/jobs/${(await submit('a')).body.jobId}/cancel`, {});
    expect(cancel.body.status).toBe('cancelled');
    sim.setJobMs(0);
    await submit('d');
    const stats = sim.stats();
    expect(stats.maxConcurrentJobs).toBe(3);
    expect(stats.activeJobs).toBe(2);
    expect(stats.duplicateSubmits).toBe(1);
  });

  it('serves thousands of zero-latency jobs with exact counts', async () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `bulk-${i}`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((k) => submit(k)));
    }
    const stats = sim.stats();
    expect(stats.jobsCreated).toBe(2000);
    expect(stats.submitRequests).toBe(2000);
    expect(stats.maxConcurrentJobs).toBe(0);
    expect(Object.keys(stats.jobsByIdempotencyKey)).toHaveLength(2000);
    expect(stats.requests).toHaveLength(1000); // bounded request log
  });

  it('applies faults by operation, by count and by time window', async () => {
    sim.injectFaults({ rules: [{ type: 'server_error', count: 2, operation: 'poll' }] });
    const { body } = await submit('f1');
    const polls = [];
    for (let i = 0; i < 3; i += 1) polls.push((await fetch(`${sim.url}/v1/jobs/${body.jobId}`)).status);
    expect(polls).toEqual([500, 500, 200]);

    sim.injectFaults({ rules: [{ type: 'unavailable', forMs: 60_000, retryAfterSeconds: 7 }] });
    const during = await submit('f2');
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('7');
    sim.clearFaults();
    expect((await submit('f2')).status).toBe(202);

    sim.injectFaults({ rules: [{ type: 'unavailable', forMs: 1 }] });
    await sleep(5);
    expect((await submit('f3')).status).toBe(202);
  });

  it('is driven through the control API', async () => {
    const inject = await post('/__control/faults', { rules: [{ type: 'rate_limited', count: 1, retryAfterSeconds: 3 }] });
    expect(inject.status).toBe(200);
    const limited = await submit('c1');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');

    const badPlan = await post('/__control/faults', { rules: [{ type: 'explode' }] });
    expect(badPlan.status).toBe(400);
    expect(badPlan.body.error.message).toContain('rules.0.type');

    expect((await post('/__control/job-ms', { jobMs: 1234 })).body.jobMs).toBe(1234);
    await submit('c2');
    const stats = (await (await fetch(`${sim.url}/__control/stats`)).json()) as SimulatorStats;
    expect(stats).toMatchObject({ jobMs: 1234, submitRequests: 2, jobsCreated: 1, statusCodes: { '429': 1, '202': 1 } });

    await post('/__control/reset', {});
    expect(sim.stats()).toMatchObject({ jobsCreated: 0, submitRequests: 0, requests: [] });
  });
});

describe('start-simulators entry (child process)', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('starts both simulators and prints their URLs', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'backend/simulators/start-simulators.ts', '--job-ms=0'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ready = new Promise<{ core: string; avatar: string }>((resolve, reject) => {
      const rl = createInterface({ input: child!.stdout! });
      rl.on('line', (line) => {
        if (line.startsWith(READY_LINE_PREFIX)) resolve(JSON.parse(line.slice(READY_LINE_PREFIX.length)));
      });
      child!.once('exit', (code) => reject(new Error(`simulators exited early with ${code}`)));
    });
    const urls = await ready;
    const core = (await (await fetch(`${urls.core}/healthz`)).json()) as { kind: string };
    const avatar = (await (await fetch(`${urls.avatar}/__control/stats`)).json()) as SimulatorStats;
    expect(core.kind).toBe('core');
    expect(avatar.kind).toBe('avatar');
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = undefined;
  });
});
