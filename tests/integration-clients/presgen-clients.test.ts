import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboundHttpClient } from '../../backend/integration/http-client';
import { PresgenAvatarClient } from '../../backend/integration/presgen-avatar-client';
import { PresgenCoreClient } from '../../backend/integration/presgen-core-client';
import { jobFailureError } from '../../backend/integration/presgen-job-client';
import { startLocalPresgen, type LocalPresgen } from '../../backend/simulators/start-simulators';
import { PermanentError, TransientError } from '../../backend/errors';
import { caught, deckInput, externalCount, videoInput } from './fixtures';

const TOKEN = 'sim-token-0123456789';

let presgen: LocalPresgen;
let http: OutboundHttpClient;
let core: PresgenCoreClient;
let avatar: PresgenAvatarClient;

beforeAll(async () => {
  presgen = await startLocalPresgen({ jobMs: 0, token: TOKEN });
  // Breaker threshold high: breaker behaviour has its own suite.
  http = new OutboundHttpClient({
    timeoutMs: 2_000,
    retries: 2,
    minRetryDelayMs: 10,
    maxRetryDelayMs: 2_000,
    breaker: { consecutiveFailures: 100, halfOpenAfterMs: 1_000 },
  });
  core = new PresgenCoreClient({ baseUrl: presgen.core.url, token: TOKEN, http });
  avatar = new PresgenAvatarClient({ baseUrl: `${presgen.avatar.url}/`, token: TOKEN, http });
});

afterAll(async () => {
  await presgen?.close();
});

beforeEach(() => {
  presgen.core.reset();
  presgen.avatar.reset();
  presgen.core.setJobMs(0);
});

describe('PresGen clients against the simulators', () => {
  it('submits a deck and a video and polls both to succeeded with results', async () => {
    const before = await externalCount('presgen_core', 'submit', 'success');
    const deck = await core.submit(deckInput(1, 4), 'wf-1:PRESENTATIONS:1');
    const deckStatus = await core.pollStatus(deck.jobId);
    expect(deckStatus.status).toBe('succeeded');
    expect(deckStatus.result?.slideCount).toBe(4);

    const video = await avatar.submit(videoInput(deckStatus.result!.url), 'wf-1:AVATAR_VIDEOS:1');
    const videoStatus = await avatar.pollStatus(video.jobId);
    expect(videoStatus.status).toBe('succeeded');
    expect(videoStatus.result?.durationSeconds).toBeGreaterThan(0);
    expect(videoStatus.result?.url).toContain(presgen.avatar.url);

    expect(presgen.core.stats().jobsCreated).toBe(1);
    expect(presgen.avatar.stats().jobsCreated).toBe(1);
    expect(await externalCount('presgen_core', 'submit', 'success')).toBe(before + 1);
  });

  it('reports queued/running with progress while a job is in flight', async () => {
    presgen.core.setJobMs(60_000);
    const { jobId, status } = await core.submit(deckInput(), 'k-running');
    expect(status).toBe('queued');
    const polled = await core.pollStatus(jobId);
    expect(['queued', 'running']).toContain(polled.status);
    expect(polled.result).toBeUndefined();
    expect(polled.progress).toBeLessThan(1);
  });

  it('retries a 503 in-request and succeeds', async () => {
    presgen.core.injectFaults({ rules: [{ type: 'unavailable', count: 2, operation: 'submit' }] });
    const { jobId } = await core.submit(deckInput(), 'k-503');
    expect(jobId).toBeTruthy();
    const stats = presgen.core.stats();
    expect(stats.submitRequests).toBe(3);
    expect(stats.statusCodes).toMatchObject({ '503': 2, '202': 1 });
    expect(stats.jobsCreated).toBe(1);
  });

  it('honours a short Retry-After in-request: the retry arrives no earlier than it allows', async () => {
    presgen.core.injectFaults({ rules: [{ type: 'rate_limited', count: 1, retryAfterSeconds: 1 }] });
    await core.submit(deckInput(), 'k-429-short');
    const [first, second] = presgen.core.stats().requests;
    expect(first.status).toBe(429);
    expect(second.status).toBe(202);
    expect(second.at - first.at).toBeGreaterThanOrEqual(1_000);
  });

  it('surfaces a Retry-After longer than maxRetryDelayMs to the caller instead of sleeping', async () => {
    presgen.core.injectFaults({ rules: [{ type: 'rate_limited', count: 1, retryAfterSeconds: 120 }] });
    const err = await caught(() => core.submit(deckInput(), 'k-429-long'));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).reason).toBe('http_429');
    expect((err as TransientError).retryAfterMs).toBe(120_000);
    expect(presgen.core.stats().submitRequests).toBe(1);
  });

  it('fails a 400 permanently without retrying', async () => {
    presgen.core.injectFaults({ rules: [{ type: 'bad_request', count: 1 }] });
    const err = await caught(() => core.submit(deckInput(), 'k-400'));
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).reason).toBe('http_4xx');
    expect(presgen.core.stats().submitRequests).toBe(1);
  });

  it('turns a hanging server into TransientError timeout, and a retry after one hang succeeds', async () => {
    const impatient = new OutboundHttpClient({ timeoutMs: 150, retries: 0 });
    const quick = new PresgenCoreClient({ baseUrl: presgen.core.url, token: TOKEN, http: impatient });
    presgen.core.injectFaults({ rules: [{ type: 'hang', count: 1 }] });
    const err = await caught(() => quick.submit(deckInput(), 'k-hang'));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).reason).toBe('timeout');

    const patient = new PresgenCoreClient({
      baseUrl: presgen.core.url,
      token: TOKEN,
      http: new OutboundHttpClient({ timeoutMs: 150, retries: 1, minRetryDelayMs: 1 }),
    });
    presgen.core.injectFaults({ rules: [{ type: 'hang', count: 1 }] });
    const ok = await patient.submit(deckInput(), 'k-hang');
    expect(ok.jobId).toBeTruthy();
    expect(presgen.core.stats().submitRequests).toBe(3);
  });

  it('rejects a response that breaks the contract as PermanentError contract_violation', async () => {
    const { jobId } = await core.submit(deckInput(), 'k-contract');
    presgen.core.injectFaults({ rules: [{ type: 'malformed', count: 1, operation: 'poll' }] });
    const err = await caught(() => core.pollStatus(jobId));
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).reason).toBe('contract_violation');
    expect((err as Error).message).toMatch(/jobId|status/);
    expect(presgen.core.stats().pollRequests).toBe(1);
  });

  it('maps network errors to TransientError network', async () => {
    const closed = await startLocalPresgen();
    const url = closed.core.url;
    await closed.close();
    const client = new PresgenCoreClient({ baseUrl: url, http: new OutboundHttpClient({ retries: 0 }) });
    const err = await caught(() => client.pollStatus('nope'));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).reason).toBe('network');
  });

  it('returns the same job for the same idempotency key and creates it once', async () => {
    const a = await core.submit(deckInput(2), 'wf-9:PRESENTATIONS:2');
    const b = await core.submit(deckInput(2), 'wf-9:PRESENTATIONS:2');
    expect(b.jobId).toBe(a.jobId);
    const stats = presgen.core.stats();
    expect(stats.jobsCreated).toBe(1);
    expect(stats.duplicateSubmits).toBe(1);
    expect(stats.statusCodes).toMatchObject({ '202': 1, '200': 1 });
    expect(stats.jobsByIdempotencyKey['wf-9:PRESENTATIONS:2']).toEqual({ jobId: a.jobId, jobsCreated: 1, submits: 2 });
  });

  it('treats the same key with a different body as a permanent 409', async () => {
    await core.submit(deckInput(1), 'k-reuse');
    const err = await caught(() => core.submit(deckInput(1, 5), 'k-reuse'));
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).details).toMatchObject({ status: 409, code: 'idempotency_key_reused' });
  });

  it('cancels a running job, idempotently', async () => {
    presgen.core.setJobMs(60_000);
    const { jobId } = await core.submit(deckInput(), 'k-cancel');
    expect((await core.cancel(jobId)).status).toBe('cancelled');
    expect((await core.cancel(jobId)).status).toBe('cancelled');
    expect((await core.pollStatus(jobId)).status).toBe('cancelled');
    const stats = presgen.core.stats();
    expect(stats.cancelRequests).toBe(2);
    expect(stats.jobsCancelled).toBe(1);
  });

  it('keeps a stuck job running; after cancel a resubmit with the same key starts a new job', async () => {
    presgen.core.injectFaults({ stuckJobs: 1 });
    const { jobId } = await core.submit(deckInput(), 'wf-s:PRESENTATIONS:1');
    for (let i = 0; i < 3; i += 1) expect((await core.pollStatus(jobId)).status).toBe('running');
    await core.cancel(jobId);
    const again = await core.submit(deckInput(), 'wf-s:PRESENTATIONS:1');
    expect(again.jobId).not.toBe(jobId);
    expect((await core.pollStatus(again.jobId)).status).toBe('succeeded');
    expect(presgen.core.stats().jobsByIdempotencyKey['wf-s:PRESENTATIONS:1']).toMatchObject({ jobsCreated: 2, submits: 2 });
  });

  it('reports a failed job with its error, classified by retryable', async () => {
    presgen.core.injectFaults({ failJobs: { count: 1, retryable: true } });
    const { jobId } = await core.submit(deckInput(), 'k-fail');
    const status = await core.pollStatus(jobId);
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'render_failed', retryable: true });
    expect(jobFailureError('presgen_core', status.error)).toBeInstanceOf(TransientError);
    expect(jobFailureError('presgen_core', { code: 'x', message: 'y', retryable: false })).toBeInstanceOf(PermanentError);
  });

  it('rejects invalid input before any request, naming the field', async () => {
    const bad = { ...deckInput(), slides: [{ title: 1 }] } as unknown as ReturnType<typeof deckInput>;
    const err = await caught(() => core.submit(bad, 'k-bad'));
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain('slides.0.title');
    expect(presgen.core.stats().submitRequests).toBe(0);
  });

  it('gets 401 without the bearer token (permanent) and 404 for an unknown job', async () => {
    const anonymous = new PresgenCoreClient({ baseUrl: presgen.core.url, http });
    const unauthorised = await caught(() => anonymous.submit(deckInput(), 'k-anon'));
    expect((unauthorised as PermanentError).details).toMatchObject({ status: 401 });
    const missing = await caught(() => core.pollStatus('no-such-job'));
    expect((missing as PermanentError).details).toMatchObject({ status: 404, code: 'job_not_found' });
    expect(presgen.core.stats().jobsCreated).toBe(0);
  });
});
