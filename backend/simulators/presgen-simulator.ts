import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { log } from '../observability/logger';
import { CreatePresentationRequest, CreateVideoRequest, IDEMPOTENCY_KEY } from '../integration/presgen-contract';
import { FaultInjector, FaultPlan, type FaultResponse, type SimulatorOperation } from './simulator-faults';
import { SimulatorJobs, type KeyStats } from './simulator-jobs';
import { HttpProblem, parseOr400, readJsonBody, sendError, sendJson } from './simulator-http';

/**
 * PresGen Core / PresGen Avatar simulator: a real HTTP server speaking the job contract of
 * docs/integrations/presgen.md, with configurable latency, injectable faults and counters that
 * tests assert on ("exactly one deck per course"). A control API under /__control lets a test
 * drive a simulator running in another process. Meant for loopback use only: no auth on /__control.
 */

export type { FaultPlan } from './simulator-faults';

export const PresgenSimulatorOptions = z
  .object({
    kind: z.enum(['core', 'avatar']),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(0),
    /** How long a job runs; 0 = finished at submit. */
    jobMs: z.number().min(0).default(0),
    /** Spread of job durations as a fraction of jobMs (0.2 = ±20%). */
    jitter: z.number().min(0).max(1).default(0),
    /** Multiplies every job duration (e.g. 0.01 runs a realistic 5-minute render in 3 s). */
    timeScale: z.number().positive().default(1),
    /** When set, API requests need `Authorization: Bearer <token>`. */
    token: z.string().min(1).optional(),
  })
  .strict();
export type PresgenSimulatorOptions = z.input<typeof PresgenSimulatorOptions>;

export interface RequestRecord {
  /** Epoch ms when the request arrived. */
  at: number;
  operation: SimulatorOperation;
  /** 0 for a request that was left hanging. */
  status: number;
}

export interface SimulatorStats {
  kind: 'core' | 'avatar';
  jobMs: number;
  jobsCreated: number;
  jobsCancelled: number;
  submitRequests: number;
  pollRequests: number;
  cancelRequests: number;
  duplicateSubmits: number;
  maxConcurrentJobs: number;
  activeJobs: number;
  jobsByIdempotencyKey: Record<string, KeyStats>;
  statusCodes: Record<string, number>;
  /** The last 1000 API requests, oldest first. */
  requests: RequestRecord[];
}

export interface PresgenSimulator {
  url: string;
  kind: 'core' | 'avatar';
  stats(): SimulatorStats;
  injectFaults(f: FaultPlan): void;
  clearFaults(): void;
  setJobMs(ms: number): void;
  /** Clears jobs, counters and faults. */
  reset(): void;
  close(): Promise<void>;
}

const REQUEST_LOG_SIZE = 1000;

export async function startPresgenSimulator(input: PresgenSimulatorOptions): Promise<PresgenSimulator> {
  const opts = PresgenSimulatorOptions.parse(input);
  const sim = new SimulatorState(opts);
  const server = createServer((req, res) => {
    sim.handle(req, res).catch((err: unknown) => {
      const problem = err instanceof HttpProblem ? err : new HttpProblem(500, 'internal', 'simulator error');
      if (!res.headersSent) sendError(res, problem);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  sim.url = `http://${opts.host}:${port}`;

  return {
    url: sim.url,
    kind: opts.kind,
    stats: () => sim.stats(),
    injectFaults: (f) => sim.faults.inject(f),
    clearFaults: () => sim.faults.clear(),
    setJobMs: (ms) => {
      sim.jobMs = z.number().min(0).parse(ms);
    },
    reset: () => sim.reset(),
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging requests and keep-alive sockets would hold close() open forever.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Opts = z.infer<typeof PresgenSimulatorOptions>;

class SimulatorState {
  url = '';
  jobMs: number;
  readonly faults = new FaultInjector();
  private jobs = new SimulatorJobs();
  private counts = { submit: 0, poll: 0, cancel: 0 };
  private statusCodes: Record<string, number> = {};
  private requests: RequestRecord[] = [];

  constructor(private readonly opts: Opts) {
    this.jobMs = opts.jobMs;
  }

  reset(): void {
    this.jobs = new SimulatorJobs();
    this.counts = { submit: 0, poll: 0, cancel: 0 };
    this.statusCodes = {};
    this.requests = [];
    this.faults.clear();
  }

  stats(): SimulatorStats {
    const j = this.jobs;
    return {
      kind: this.opts.kind,
      jobMs: this.jobMs,
      jobsCreated: j.jobsCreated,
      jobsCancelled: j.jobsCancelled,
      submitRequests: this.counts.submit,
      pollRequests: this.counts.poll,
      cancelRequests: this.counts.cancel,
      duplicateSubmits: j.duplicateSubmits,
      maxConcurrentJobs: j.maxConcurrentJobs,
      activeJobs: j.activeJobs(Date.now()),
      jobsByIdempotencyKey: j.keys(),
      statusCodes: { ...this.statusCodes },
      requests: this.requests.map((r) => ({ ...r })),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    if (path.startsWith('/__control/')) return this.handleControl(method, path, req, res);
    if (method === 'GET' && path === '/healthz') return sendJson(res, 200, { ok: true, kind: this.opts.kind });
    if (method === 'GET' && path.startsWith('/artifacts/')) return sendJson(res, 200, { artifact: path });

    const route = this.route(method, path);
    if (!route) return sendError(res, new HttpProblem(404, 'not_found', `no route ${method} ${path}`));
    this.counts[route.operation] += 1;
    const record: RequestRecord = { at: Date.now(), operation: route.operation, status: 0 };
    this.requests.push(record);
    if (this.requests.length > REQUEST_LOG_SIZE) this.requests.shift();

    const fault = this.faults.takeRequestFault(route.operation, record.at);
    if (fault?.type === 'hang') return; // never answered; the client's timeout ends it
    const { status, body, headers } = fault ? this.faultAnswer(fault) : await this.answer(route, req);
    record.status = status;
    this.statusCodes[status] = (this.statusCodes[status] ?? 0) + 1;
    sendJson(res, status, body, headers);
  }

  private route(method: string, path: string): { operation: SimulatorOperation; jobId?: string } | undefined {
    const submitPath = this.opts.kind === 'core' ? '/v1/presentations' : '/v1/videos';
    if (method === 'POST' && path === submitPath) return { operation: 'submit' };
    const m = /^\/v1\/jobs\/([^/]+)(\/cancel)?$/.exec(path);
    if (!m) return undefined;
    const jobId = decodeURIComponent(m[1]);
    if (method === 'GET' && !m[2]) return { operation: 'poll', jobId };
    if (method === 'POST' && m[2]) return { operation: 'cancel', jobId };
    return undefined;
  }

  private async answer(
    route: { operation: SimulatorOperation; jobId?: string },
    req: IncomingMessage,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    try {
      this.authorize(req);
      const now = Date.now();
      if (route.operation === 'submit') return await this.submit(req, now);
      const job = this.jobs.get(route.jobId ?? '');
      if (!job) throw new HttpProblem(404, 'job_not_found', 'no such job');
      if (route.operation === 'cancel') {
        this.jobs.cancel(job, now);
        return { status: 200, body: { jobId: job.id, status: this.jobs.stateOf(job, now) } };
      }
      return { status: 200, body: this.jobs.view(job, now) };
    } catch (err) {
      if (!(err instanceof HttpProblem)) throw err;
      const error: Record<string, unknown> = { code: err.code, message: err.message };
      if (err.details !== undefined) error.details = err.details;
      return { status: err.status, body: { error } };
    }
  }

  private async submit(req: IncomingMessage, now: number): Promise<{ status: number; body: unknown }> {
    const key = IDEMPOTENCY_KEY.safeParse(req.headers['idempotency-key']);
    if (!key.success) throw new HttpProblem(400, 'invalid_request', 'Idempotency-Key: header required (1..255 characters)');
    const raw = await readJsonBody(req);
    const body = this.opts.kind === 'core' ? parseOr400(CreatePresentationRequest, raw) : parseOr400(CreateVideoRequest, raw);
    const fingerprint = createHash('sha256').update(JSON.stringify(body)).digest('base64url');

    const outcome = this.jobs.submit(key.data, fingerprint, (id) => this.newJob(id, body, now), now);
    if (outcome.kind === 'conflict') {
      throw new HttpProblem(409, 'idempotency_key_reused', 'Idempotency-Key: already used with a different body');
    }
    const status = outcome.kind === 'created' ? 202 : 200;
    return { status, body: { jobId: outcome.job.id, status: this.jobs.stateOf(outcome.job, now) } };
  }

  private newJob(id: string, body: CreatePresentationRequest | CreateVideoRequest, now: number) {
    const fault = this.faults.takeJobFault();
    const spread = this.opts.jitter * (2 * Math.random() - 1);
    const duration = Math.max(0, Math.round(this.jobMs * this.opts.timeScale * (1 + spread)));
    const result =
      'slides' in body
        ? { url: `${this.url}/artifacts/presentations/${id}`, slideCount: body.slides.length }
        : { url: `${this.url}/artifacts/videos/${id}`, durationSeconds: narrationSeconds(body.script) };
    return {
      createdAt: now,
      readyAt: fault.stuck ? Number.POSITIVE_INFINITY : now + duration,
      failure: fault.failure,
      result,
    };
  }

  private authorize(req: IncomingMessage): void {
    if (!this.opts.token) return;
    if (req.headers.authorization !== `Bearer ${this.opts.token}`) {
      throw new HttpProblem(401, 'unauthorized', 'missing or invalid bearer token');
    }
  }

  private faultAnswer(fault: FaultResponse): { status: number; body: unknown; headers?: Record<string, string> } {
    const retryAfter = (s: number | undefined) => (s === undefined ? undefined : { 'retry-after': String(s) });
    switch (fault.type) {
      case 'unavailable':
        return { status: 503, body: problem('unavailable', 'injected fault'), headers: retryAfter(fault.retryAfterSeconds) };
      case 'server_error':
        return { status: 500, body: problem('internal', 'injected fault') };
      case 'rate_limited':
        return { status: 429, body: problem('rate_limited', 'injected fault'), headers: retryAfter(fault.retryAfterSeconds ?? 1) };
      case 'bad_request':
        return { status: 400, body: problem('invalid_request', 'injected fault') };
      case 'malformed':
        return { status: 200, body: { jobId: 42, status: 'exploded' } };
      default:
        throw new Error(`unhandled fault ${fault.type}`);
    }
  }

  private async handleControl(method: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = `${method} ${path}`;
    if (route === 'GET /__control/stats') return sendJson(res, 200, this.stats());
    if (route === 'POST /__control/faults') {
      this.faults.inject(parseOr400(FaultPlan, await readJsonBody(req)));
      return sendJson(res, 200, { ok: true });
    }
    if (route === 'DELETE /__control/faults') {
      this.faults.clear();
      return sendJson(res, 200, { ok: true });
    }
    if (route === 'POST /__control/reset') {
      this.reset();
      return sendJson(res, 200, { ok: true });
    }
    if (route === 'POST /__control/job-ms') {
      this.jobMs = parseOr400(z.object({ jobMs: z.number().min(0) }).strict(), await readJsonBody(req)).jobMs;
      return sendJson(res, 200, { ok: true, jobMs: this.jobMs });
    }
    log().debug({ route }, 'simulator: unknown control route');
    return sendError(res, new HttpProblem(404, 'not_found', `no control route ${route}`));
  }
}

function problem(code: string, message: string) {
  return { error: { code, message } };
}

/** About 150 spoken words a minute, at least a second per slide. */
function narrationSeconds(script: string[]): number {
  return script.reduce((sum, notes) => sum + Math.max(1, Math.round(notes.split(/\s+/).filter(Boolean).length / 2.5)), 0);
}
