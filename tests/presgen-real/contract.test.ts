import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../backend/db/client';
import { listAuditEvents } from '../../backend/db/repositories/workflow-repository';
import { OutboundHttpClient } from '../../backend/integration/http-client';
import {
  PresgenAvatarApiClient,
  presgenRenderClient,
  presgenTrainingClient,
  type RealClientOptions,
} from '../../backend/integration/presgen-real-clients';
import type { VoiceSettings } from '../../backend/integration/presgen-real-mapping';
import { getSubmission, listSubmissions } from '../../backend/integration/presgen-submissions';
import { presgenPossibleDuplicates } from '../../backend/observability/metrics';
import { startRealPresgenSimulator, type RealPresgenSimulator } from '../../backend/simulators/presgen-real-simulator';
import { PermanentError, TransientError } from '../../backend/errors';
import { eventually } from '../support/backend';
import { caught, deckInput, videoInput } from '../integration-clients/fixtures';

/**
 * Every real-protocol adapter against its simulator (which mirrors the real PresGen shapes field
 * for field): the mapping, the synchronous answer, success:false, 422, 500, a timeout, a contract
 * violation, and the submission ledger that makes a possible duplicate render visible.
 */

const TOKEN = 'real-sim-token-0123';
const VOICE: VoiceSettings = {
  voiceProfileName: 'narrator',
  trainingQuality: 'fast',
  avatarQuality: 'fast',
  avatarVoice: { provider: 'openai', voice_id: 'alloy', language: 'en-US' },
};

let database: Database;
let core: RealPresgenSimulator;
let avatarSim: RealPresgenSimulator;
let http: OutboundHttpClient;
let seen: { path: string; body: unknown }[] = [];

function opts(baseUrl: string, timeoutMs?: number): RealClientOptions {
  return { baseUrl, token: TOKEN, http, database, workerId: 'contract-test', timeoutMs };
}

async function duplicates(): Promise<number> {
  const metric = await presgenPossibleDuplicates.get();
  return metric.values.reduce((sum, v) => sum + v.value, 0);
}

beforeAll(async () => {
  database = await openDatabase({ pgliteDataDir: 'memory://' });
  core = await startRealPresgenSimulator({ kind: 'core', token: TOKEN });
  avatarSim = await startRealPresgenSimulator({ kind: 'avatar', token: TOKEN });
  http = new OutboundHttpClient({
    timeoutMs: 2_000,
    retries: 2,
    minRetryDelayMs: 10,
    breaker: { consecutiveFailures: 100, halfOpenAfterMs: 1_000 },
  });
});

afterAll(async () => {
  await core?.close();
  await avatarSim?.close();
  await database?.close();
});

beforeEach(() => {
  core.reset();
  avatarSim.reset();
  core.setDurations({ renderMs: 0, videoMs: 0 });
  avatarSim.setDurations({ videoMs: 0 });
  seen = [];
});

describe('PRESGEN_CORE_PROTOCOL=presgen (POST /render)', () => {
  it('maps the outline to report_text/slides/request_id/use_cache and answers a deck when the call returns', async () => {
    const recorder = await recordingProxy(core.url);
    try {
      const client = presgenRenderClient(opts(recorder.url));
      const accepted = await client.submit(deckInput(2, 3) as never, 'wf-r1:GENERATING_PRESENTATIONS:2');
      expect(accepted.status).toBe('succeeded');
      const status = await client.pollStatus(accepted.jobId);
      expect(status.status).toBe('succeeded');
      expect(status.result).toMatchObject({ url: expect.stringMatching(/^https:\/\/docs\.google\.com\/presentation\/d\//), slideCount: 3 });
      const body = seen[0].body as Record<string, unknown>;
      expect(seen[0].path).toBe('/render');
      expect(body).toEqual({
        report_text: expect.stringContaining('# Course 2: VPC design'),
        request_id: 'wf-r1:GENERATING_PRESENTATIONS:2',
        slides: 3,
        use_cache: true,
      });
      expect(body.report_text).toContain('## Slide 3: Slide 3\n- Subnets\n- Route tables\nSpeaker notes: In this slide we cover part 3');
      expect(core.stats().renders).toBe(1);
      const row = await getSubmission(database.db, accepted.jobId);
      expect(row).toMatchObject({ outcome: 'succeeded', service: 'presgen_core', protocol: 'presgen', workflowId: 'wf-r1' });
    } finally {
      await recorder.close();
    }
  });

  it('classifies a 500 {detail} as transient and a 422 as permanent, sending each attempt once', async () => {
    const client = presgenRenderClient(opts(core.url));
    core.injectFaults({ serverErrors: 1 });
    const transient = await caught(() => client.submit(deckInput() as never, 'wf-r2:GENERATING_PRESENTATIONS:1'));
    expect(transient).toBeInstanceOf(TransientError);
    expect((transient as TransientError).message).toContain('Internal server error: simulated failure');
    core.injectFaults({ validationErrors: 1 });
    const permanent = await caught(() => client.submit(deckInput() as never, 'wf-r2:GENERATING_PRESENTATIONS:1'));
    expect(permanent).toBeInstanceOf(PermanentError);
    expect((permanent as PermanentError).reason).toBe('http_4xx');
    // No in-request retry of a call without idempotency key: two attempts, two requests.
    expect(core.stats().renderRequests).toBe(2);
    const rows = await listSubmissions(database.db, 'wf-r2');
    expect(rows.map((r) => r.outcome)).toEqual(['failed', 'failed']);
    expect(rows.every((r) => r.possibleDuplicateOf === null)).toBe(true);
  });

  it('refuses a bad outline before any request, naming the field', async () => {
    const client = presgenRenderClient(opts(core.url));
    const err = await caught(() => client.submit({ title: '', slides: [] } as never, 'wf-r3:GENERATING_PRESENTATIONS:1'));
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/title/);
    expect(core.stats().renderRequests).toBe(0);
  });

  it('a timed-out call has an unknown outcome; the next attempt is counted and audited as a possible duplicate', async () => {
    core.setDurations({ renderMs: 400 });
    const client = presgenRenderClient(opts(core.url, 100));
    const before = await duplicates();
    const err = await caught(() => client.submit(deckInput() as never, 'wf-r4:GENERATING_PRESENTATIONS:1'));
    expect((err as TransientError).reason).toBe('timeout');
    core.setDurations({ renderMs: 0 });
    const accepted = await presgenRenderClient(opts(core.url)).submit(deckInput() as never, 'wf-r4:GENERATING_PRESENTATIONS:1');
    expect(accepted.status).toBe('succeeded');
    const rows = await listSubmissions(database.db, 'wf-r4');
    expect(rows.map((r) => r.outcome)).toEqual(['superseded', 'succeeded']);
    expect(rows[1].possibleDuplicateOf).toBe(rows[0].id);
    expect(await duplicates()).toBe(before + 1);
    const audit = await listAuditEvents(database.db, 'wf-r4');
    expect(audit.map((e) => e.type)).toEqual(['presgen_possible_duplicate']);
    // The simulator finished the abandoned render too: two decks for one item, made visible above.
    await eventually(async () => core.stats().rendersByKey['wf-r4:GENERATING_PRESENTATIONS:1'] === 2, { what: 'both renders done' });
  });

  it('a 200 without the required url is a contract violation', async () => {
    const fake = await fixedAnswerServer({ ok: true, presentation_id: 'x' });
    try {
      const err = await caught(() => presgenRenderClient(opts(fake.url)).submit(deckInput() as never, 'wf-r5:GENERATING_PRESENTATIONS:1'));
      expect(err).toBeInstanceOf(PermanentError);
      expect((err as PermanentError).reason).toBe('contract_violation');
      expect((err as Error).message).toContain('url');
    } finally {
      await fake.close();
    }
  });
});

describe('PRESGEN_AVATAR_PROTOCOL=presgen-training (POST /training/presentation-only)', () => {
  it('sends the deck URL and narration and makes the relative download_url absolute', async () => {
    const recorder = await recordingProxy(core.url);
    try {
      const client = presgenTrainingClient(opts(`${recorder.url}/`), VOICE);
      const accepted = await client.submit(
        videoInput('https://docs.google.com/presentation/d/abc/edit') as never,
        'wf-t1:GENERATING_AVATAR_VIDEOS:1',
      );
      const status = await client.pollStatus(accepted.jobId);
      expect(status.status).toBe('succeeded');
      const result = status.result as { url: string; durationSeconds: number };
      expect(result.url).toMatch(new RegExp(`^${recorder.url}/training/download/[0-9a-f-]+$`));
      expect(seen[0].body).toEqual({
        mode: 'presentation_only',
        voice_profile_name: 'narrator',
        content_text: 'Welcome to the course.\n\nLet us begin with subnets.',
        google_slides_url: 'https://docs.google.com/presentation/d/abc/edit',
        quality_level: 'fast',
        use_cache: true,
      });
    } finally {
      await recorder.close();
    }
  });

  it("success:false is a transient failure with PresGen's text, recorded as failed (not a duplicate risk)", async () => {
    core.injectFaults({ reportedFailures: 1 });
    const client = presgenTrainingClient(opts(core.url), VOICE);
    const err = await caught(() =>
      client.submit(videoInput('https://docs.google.com/presentation/d/abc/edit') as never, 'wf-t2:GENERATING_AVATAR_VIDEOS:1'),
    );
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).reason).toBe('presgen_reported_failure');
    expect((err as Error).message).toContain('simulated failure');
    const [row] = await listSubmissions(database.db, 'wf-t2');
    expect(row.outcome).toBe('failed');
  });
});

describe('PRESGEN_AVATAR_PROTOCOL=presgen-avatar (/api/v1/avatar/generate + status)', () => {
  it('generates, polls to completed and hands out an absolute video URL', async () => {
    avatarSim.setDurations({ videoMs: 150 });
    const client = new PresgenAvatarApiClient(opts(avatarSim.url), VOICE);
    const accepted = await client.submit(
      videoInput('https://docs.google.com/presentation/d/abc/edit') as never,
      'wf-a1:GENERATING_AVATAR_VIDEOS:1',
    );
    expect(['queued', 'running']).toContain(accepted.status);
    expect(['running', 'succeeded']).toContain((await client.pollStatus(accepted.jobId)).status);
    const done = await eventually(
      async () => {
        const s = await client.pollStatus(accepted.jobId);
        return s.status === 'succeeded' ? s : undefined;
      },
      { what: 'avatar video completed' },
    );
    expect((done.result as { url: string }).url).toBe(`${avatarSim.url}/api/v1/avatar/videos/${accepted.jobId}/download`);
    expect(avatarSim.stats().renders).toBe(1);
  });

  it('a failed job is a retryable job failure carrying error_message', async () => {
    avatarSim.injectFaults({ reportedFailures: 1 });
    const client = new PresgenAvatarApiClient(opts(avatarSim.url), VOICE);
    const accepted = await client.submit(
      videoInput('https://docs.google.com/presentation/d/abc/edit') as never,
      'wf-a2:GENERATING_AVATAR_VIDEOS:1',
    );
    const status = await client.pollStatus(accepted.jobId);
    expect(status).toEqual({ status: 'failed', error: { code: 'avatar_failed', message: 'simulated avatar failure', retryable: true } });
  });
});

/** Forwards to the simulator and records each request body (what the adapter really sent). */
async function recordingProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  return listen(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    seen.push({ path: req.url ?? '', body: text ? JSON.parse(text) : undefined });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: text || undefined });
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(await upstream.text());
  });
}

async function fixedAnswerServer(body: unknown): Promise<{ url: string; close(): Promise<void> }> {
  return listen(async (req, res) => {
    for await (const _ of req) void _;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
