import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  AvatarGenerateRequest,
  PRESGEN_AVATAR_PATHS,
  PRESGEN_CORE_PATHS,
  RenderRequest,
  TrainingVideoRequest,
  type AvatarStatusResponse,
  type RenderResponse,
  type TrainingVideoResponse,
} from '../integration/presgen-real-contract';
import { HttpProblem, readJsonBody, sendJson } from './simulator-http';

/**
 * The PresGen services as they exist, simulated field for field (shapes in
 * integration/presgen-real-contract.ts): PresGen-Core (`kind: 'core'`: POST /render and
 * POST /training/presentation-only, both SYNCHRONOUS: the answer comes when the render is done;
 * GET /training/download/{id}, /training/status/{id} (the real placeholder: always "completed"),
 * /training/voice-profiles, /healthz) and PresGen-Avatar (`kind: 'avatar'`: generate + status,
 * asynchronous). Errors as FastAPI answers them: 422 `{detail: [...], message: "Validation failed"}`,
 * 400/500 `{detail}`; a training failure is a 200 with `success: false`. Counters let tests
 * assert "one render per course"; faults are injected programmatically.
 */

export const RealSimulatorOptions = z
  .object({
    kind: z.enum(['core', 'avatar']),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(0),
    /** How long POST /render holds the request (PresGen-Core builds the deck meanwhile). */
    renderMs: z.number().min(0).default(0),
    /** How long a narrated video takes (training: the request is held; avatar: the job runs). */
    videoMs: z.number().min(0).default(0),
    /** Multiplies every duration (0.004 runs a 4-minute render in about a second). */
    timeScale: z.number().positive().default(1),
    token: z.string().min(1).optional(),
  })
  .strict();
export type RealSimulatorOptions = z.input<typeof RealSimulatorOptions>;

/** Faults for the next N render/video requests, in this order of precedence. */
export interface RealSimulatorFaults {
  /** 500 `{detail: "Internal server error: ..."}`. */
  serverErrors?: number;
  /** Training: 200 `success: false`; avatar: the job ends `failed`. */
  reportedFailures?: number;
  /** 422 validation answer (as if the body were bad). */
  validationErrors?: number;
}

export interface RealSimulatorStats {
  kind: 'core' | 'avatar';
  /** Renders that completed (decks for /render, videos for training and avatar). */
  renders: number;
  renderRequests: number;
  /** Completed renders per request_id / slides URL: > 1 is a duplicate render. */
  rendersByKey: Record<string, number>;
  inFlight: number;
  maxInFlight: number;
  statusCodes: Record<string, number>;
}

export interface RealPresgenSimulator {
  url: string;
  kind: 'core' | 'avatar';
  stats(): RealSimulatorStats;
  injectFaults(faults: RealSimulatorFaults): void;
  setDurations(d: { renderMs?: number; videoMs?: number }): void;
  reset(): void;
  close(): Promise<void>;
}

interface AvatarJob {
  id: string;
  key: string;
  doneAt: number;
  failed: boolean;
  counted: boolean;
}

export async function startRealPresgenSimulator(input: RealSimulatorOptions): Promise<RealPresgenSimulator> {
  const opts = RealSimulatorOptions.parse(input);
  const durations = { renderMs: opts.renderMs, videoMs: opts.videoMs };
  let faults: Required<RealSimulatorFaults> = { serverErrors: 0, reportedFailures: 0, validationErrors: 0 };
  let stats = emptyStats(opts.kind);
  let avatarJobs = new Map<string, AvatarJob>();

  const scaled = (ms: number) => Math.round(ms * opts.timeScale);
  const countRender = (key: string) => {
    stats.renders += 1;
    stats.rendersByKey[key] = (stats.rendersByKey[key] ?? 0) + 1;
  };
  const take = (name: keyof RealSimulatorFaults) => (faults[name] > 0 ? ((faults[name] -= 1), true) : false);

  /** FastAPI's 422 shape, as the real services answer a body they refuse. */
  const sendSimulatedValidationError = (res: ServerResponse) =>
    send(res, 422, { detail: [{ type: 'simulated', loc: ['body'], msg: 'simulated validation error' }], message: 'Validation failed' });

  async function render(req: IncomingMessage, res: ServerResponse, kind: 'render' | 'training'): Promise<void> {
    stats.renderRequests += 1;
    const body = await readJsonBody(req);
    if (take('validationErrors')) return sendSimulatedValidationError(res);
    const parsed = (kind === 'render' ? RenderRequest : TrainingVideoRequest).safeParse(body);
    if (!parsed.success) {
      // The real /render answers an empty report_text with 400 (its own check), the rest with 422.
      const emptyText = kind === 'render' && parsed.error.issues.every((i) => i.path[0] === 'report_text' && i.code === 'custom');
      if (emptyText) return send(res, 400, { detail: 'report_text cannot be empty' });
      return send(res, 422, {
        detail: parsed.error.issues.map((i) => ({ type: i.code, loc: ['body', ...i.path], msg: i.message })),
        message: 'Validation failed',
      });
    }
    if (take('serverErrors')) return send(res, 500, { detail: 'Internal server error: simulated failure' });
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    // Like the real service, the render goes on when the caller hangs up (that is how a crashed
    // caller causes a duplicate): it is counted when it completes, answered if anyone listens.
    try {
      await sleep(scaled(kind === 'render' ? durations.renderMs : durations.videoMs));
    } finally {
      stats.inFlight -= 1;
    }
    if (kind === 'render') {
      const r = parsed.data as RenderRequest;
      countRender(r.request_id ?? 'no-request-id');
      const id = randomUUID().replace(/-/g, '');
      const answer: RenderResponse = {
        ok: true,
        url: `https://docs.google.com/presentation/d/${id}/edit`,
        presentation_id: id,
        created_slides: r.slides,
        first_slide_id: 'p1',
      };
      return send(res, 200, answer);
    }
    const t = parsed.data as TrainingVideoRequest;
    const jobId = randomUUID();
    if (take('reportedFailures')) {
      const failed: TrainingVideoResponse = {
        job_id: jobId,
        success: false,
        download_url: null,
        mode: 'presentation_only',
        error: 'Training presentation-only generation failed: simulated failure',
      };
      return send(res, 200, failed);
    }
    countRender(t.google_slides_url ?? 'no-slides-url');
    const seconds = Math.max(1, Math.round(scaled(durations.videoMs) / 1000));
    const answer: TrainingVideoResponse = {
      job_id: jobId,
      success: true,
      output_path: `output/training_presentation_${jobId}.mp4`,
      download_url: PRESGEN_CORE_PATHS.trainingDownload(jobId),
      processing_time: scaled(durations.videoMs) / 1000,
      mode: 'presentation_only',
      total_duration: seconds,
      avatar_duration: null,
      presentation_duration: seconds,
      error: null,
    };
    return send(res, 200, answer);
  }

  async function avatarGenerate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.renderRequests += 1;
    const body = await readJsonBody(req);
    if (take('validationErrors')) return sendSimulatedValidationError(res);
    const parsed = AvatarGenerateRequest.safeParse(body);
    if (!parsed.success) {
      return send(res, 422, {
        detail: parsed.error.issues.map((i) => ({ type: i.code, loc: ['body', ...i.path], msg: i.message })),
        message: 'Validation failed',
      });
    }
    if (take('serverErrors')) return send(res, 500, { detail: 'Internal server error: simulated failure' });
    const job: AvatarJob = {
      id: randomUUID(),
      key: parsed.data.presentation_url,
      doneAt: Date.now() + scaled(durations.videoMs),
      failed: take('reportedFailures'),
      counted: false,
    };
    avatarJobs.set(job.id, job);
    send(res, 200, {
      success: true,
      job_id: job.id,
      status: 'pending',
      message: 'Avatar generation started',
      progress: 0,
      estimated_duration_seconds: Math.round(scaled(durations.videoMs) / 1000),
    });
  }

  function avatarStatus(res: ServerResponse, jobId: string): void {
    const job = avatarJobs.get(jobId);
    if (!job) return send(res, 404, { detail: `Job ${jobId} not found` });
    const done = Date.now() >= job.doneAt;
    if (done && !job.failed && !job.counted) {
      job.counted = true;
      countRender(job.key);
    }
    const status: AvatarStatusResponse = {
      job_id: job.id,
      status: !done ? 'running' : job.failed ? 'failed' : 'completed',
      progress: done ? 100 : 50,
      video_url: done && !job.failed ? `/api/v1/avatar/videos/${job.id}/download` : null,
      error_message: done && job.failed ? 'simulated avatar failure' : null,
      updated_at: new Date().toISOString(),
    };
    send(res, 200, status);
  }

  function send(res: ServerResponse, status: number, body: unknown): void {
    stats.statusCodes[String(status)] = (stats.statusCodes[String(status)] ?? 0) + 1;
    if (!res.destroyed) sendJson(res, status, body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://sim').pathname;
    if (path === PRESGEN_CORE_PATHS.healthz && opts.kind === 'core') return sendJson(res, 200, { ok: true });
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) return send(res, 401, { detail: 'Unauthorized' });
    const post = req.method === 'POST';
    if (opts.kind === 'core') {
      if (post && path === PRESGEN_CORE_PATHS.render) return render(req, res, 'render');
      if (post && path === PRESGEN_CORE_PATHS.trainingPresentationOnly) return render(req, res, 'training');
      if (path.startsWith('/training/status/')) return sendJson(res, 200, { job_id: path.split('/').pop(), status: 'completed' });
      if (path === '/training/voice-profiles') return sendJson(res, 200, { profiles: [{ name: 'default' }] });
      if (path.startsWith('/training/download/')) {
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': 0 });
        return void res.end();
      }
    } else {
      if (post && path === PRESGEN_AVATAR_PATHS.generate) return avatarGenerate(req, res);
      const status = /^\/api\/v1\/avatar\/status\/([^/]+)$/.exec(path);
      if (req.method === 'GET' && status) return avatarStatus(res, decodeURIComponent(status[1]));
    }
    send(res, 404, { detail: 'Not Found' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpProblem ? err.status : 500;
      if (!res.headersSent) send(res, status, { detail: err instanceof Error ? err.message : 'simulator error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const url = `http://${opts.host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    kind: opts.kind,
    stats: () => structuredClone(stats),
    injectFaults: (f) => {
      faults = {
        serverErrors: faults.serverErrors + (f.serverErrors ?? 0),
        reportedFailures: faults.reportedFailures + (f.reportedFailures ?? 0),
        validationErrors: faults.validationErrors + (f.validationErrors ?? 0),
      };
    },
    setDurations: (d) => Object.assign(durations, d),
    reset: () => {
      stats = emptyStats(opts.kind);
      faults = { serverErrors: 0, reportedFailures: 0, validationErrors: 0 };
      avatarJobs = new Map();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function emptyStats(kind: 'core' | 'avatar'): RealSimulatorStats {
  return { kind, renders: 0, renderRequests: 0, rendersByKey: {}, inFlight: 0, maxInFlight: 0, statusCodes: {} };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
