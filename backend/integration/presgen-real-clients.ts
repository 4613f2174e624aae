import type { z } from 'zod';
import type { Database } from '../db/client';
import type { ServiceName } from '../observability/metrics';
import { PermanentError, TransientError, classifyError } from '../errors';
import type { JobClient } from './job-client';
import type { OutboundHttpClient } from './http-client';
import { validateInput } from './presgen-job-client';
import { CreatePresentationRequest, CreateVideoRequest, type PresentationResult, type VideoResult } from './presgen-contract';
import { absoluteUrl, toAvatarRequest, toRenderRequest, toTrainingRequest, type VoiceSettings } from './presgen-real-mapping';
import {
  AvatarGenerateResponse,
  AvatarStatusResponse,
  PRESGEN_AVATAR_PATHS,
  PRESGEN_CORE_PATHS,
  RenderResponse,
  TrainingVideoResponse,
} from './presgen-real-contract';
import { beginSubmission, finishSubmission, getSubmission, type SubmissionOutcome } from './presgen-submissions';

/**
 * Adapters from the job-client port (submit / pollStatus / cancel) to the PresGen APIs as they
 * exist. None of them has an idempotency key, so every submission goes through the ledger
 * (presgen-submissions.ts) and is sent once per attempt (no in-request retries): the fan-out
 * worker retries durably, and a repeat after an unknown outcome is counted as a possible duplicate.
 *
 * Synchronous calls (POST /render, POST /training/presentation-only) hold the request open for
 * minutes: `submit` makes the whole call while the fan-out item stays leased (its lease is
 * heartbeated as long as the call runs), stores the result on the ledger row and hands the row id
 * back as the job id; `pollStatus` reads it from there, so any replica can finish the item.
 */

export type CoreProtocol = 'presgen' | 'jobs';
export type AvatarProtocol = 'presgen-avatar' | 'presgen-training' | 'jobs';

export interface RealClientOptions {
  baseUrl: string;
  token?: string;
  http: OutboundHttpClient;
  database: Database;
  workerId: string;
  /** Per-call timeout: PRESGEN_SYNC_TIMEOUT_MS for a synchronous render; unset = the client's default. */
  timeoutMs?: number;
}

type Accepted = { jobId: string; status: string };
type PollStatus = Awaited<ReturnType<JobClient['pollStatus']>>;

/** What a successful synchronous answer becomes, or why PresGen said it failed (`success:false`). */
type Interpretation = { ok: true; externalId?: string | null; result: PresentationResult | VideoResult } | { ok: false; error: string };

interface SyncCallSpec<TInput, TResponse> {
  service: ServiceName;
  protocol: string;
  operation: string;
  path: string;
  input: z.ZodType<TInput>;
  toWire(input: TInput, idempotencyKey: string): unknown;
  response: z.ZodType<TResponse>;
  interpret(response: TResponse): Interpretation;
}

/** Shared by both synchronous adapters: ledger, one call, classification, result on the ledger. */
class SyncPresgenClient<TInput, TResponse> implements JobClient {
  private readonly baseUrl: string;

  constructor(
    private readonly spec: SyncCallSpec<TInput, TResponse>,
    private readonly opts: RealClientOptions,
  ) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  async submit(input: never, idempotencyKey: string): Promise<Accepted> {
    const wire = this.spec.toWire(validateInput(this.spec.service, this.spec.input, input), idempotencyKey);
    const db = this.opts.database.db;
    const { id } = await beginSubmission(db, {
      idempotencyKey,
      service: this.spec.service,
      protocol: this.spec.protocol,
      workerId: this.opts.workerId,
    });
    let answer: TResponse;
    try {
      answer = await this.opts.http.request(
        {
          service: this.spec.service,
          operation: this.spec.operation,
          method: 'POST',
          url: `${this.baseUrl}${this.spec.path}`,
          body: wire,
          headers: authHeader(this.opts.token),
          timeoutMs: this.opts.timeoutMs,
          retries: 0,
        },
        this.spec.response,
      );
    } catch (err) {
      await finishSubmission(db, id, { outcome: outcomeOfFailure(err), error: classifyError(err).message });
      throw err;
    }
    let outcome: Interpretation;
    try {
      outcome = this.spec.interpret(answer);
    } catch (err) {
      await finishSubmission(db, id, { outcome: 'failed', error: classifyError(err).message });
      throw err;
    }
    if (!outcome.ok) {
      await finishSubmission(db, id, { outcome: 'failed', error: outcome.error });
      // success:false carries free text only; PresGen's own failures (a voice model, ffmpeg, the
      // Slides API) are mostly passing trouble, so it is retried within the attempt budget and
      // then goes to NEEDS_ATTENTION with the text, never silently dropped.
      throw new TransientError(`${this.spec.service} ${this.spec.operation}: PresGen reported failure: ${outcome.error.slice(0, 300)}`, {
        reason: 'presgen_reported_failure',
      });
    }
    await finishSubmission(db, id, { outcome: 'succeeded', externalId: outcome.externalId, result: outcome.result });
    return { jobId: id, status: 'succeeded' };
  }

  async pollStatus(jobId: string): Promise<PollStatus> {
    const row = await getSubmission(this.opts.database.db, jobId);
    if (row?.outcome === 'succeeded') return { status: 'succeeded', result: row.result };
    // Only a recorded success is handed out as a job; anything else is a lost record: render again.
    return {
      status: 'failed',
      error: { code: 'submission_not_succeeded', message: `submission ${jobId}: ${row?.outcome ?? 'missing'}`, retryable: true },
    };
  }

  /** The real APIs have no cancel: an in-flight render finishes at PresGen and is discarded. */
  async cancel(): Promise<unknown> {
    return undefined;
  }
}

/** PRESGEN_CORE_PROTOCOL=presgen: POST /render, one Google Slides deck per course. */
export function presgenRenderClient(opts: RealClientOptions): JobClient {
  return new SyncPresgenClient(
    {
      service: 'presgen_core',
      protocol: 'presgen',
      operation: 'render',
      path: PRESGEN_CORE_PATHS.render,
      input: CreatePresentationRequest,
      toWire: toRenderRequest,
      response: RenderResponse,
      interpret: (res) => ({ ok: true, externalId: res.presentation_id, result: { url: res.url, slideCount: res.created_slides ?? 0 } }),
    },
    opts,
  );
}

/** PRESGEN_AVATAR_PROTOCOL=presgen-training: PresGen-Core's narrated slideshow of the deck. */
export function presgenTrainingClient(opts: RealClientOptions, voice: VoiceSettings): JobClient {
  return new SyncPresgenClient(
    {
      service: 'presgen_avatar',
      protocol: 'presgen-training',
      operation: 'training_presentation',
      path: PRESGEN_CORE_PATHS.trainingPresentationOnly,
      input: CreateVideoRequest,
      toWire: (req) => toTrainingRequest(req, voice),
      response: TrainingVideoResponse,
      interpret: (res) => {
        if (!res.success) return { ok: false, error: res.error ?? 'success: false without error' };
        if (!res.download_url)
          throw contractViolation('presgen_avatar', 'training_presentation', 'download_url: required when success is true');
        return {
          ok: true,
          externalId: res.job_id,
          result: { url: absoluteUrl(opts.baseUrl, res.download_url), durationSeconds: res.total_duration ?? 0 },
        };
      },
    },
    opts,
  );
}

/**
 * PRESGEN_AVATAR_PROTOCOL=presgen-avatar: POST /api/v1/avatar/generate, then poll
 * GET /api/v1/avatar/status/{job_id}. The generate call is short but has no idempotency key
 * either, so it goes through the ledger too.
 */
export class PresgenAvatarApiClient implements JobClient {
  private readonly baseUrl: string;

  constructor(
    private readonly opts: RealClientOptions,
    private readonly voice: VoiceSettings,
  ) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  async submit(input: never, idempotencyKey: string): Promise<Accepted> {
    const wire = toAvatarRequest(validateInput('presgen_avatar', CreateVideoRequest, input), this.voice);
    const db = this.opts.database.db;
    const { id } = await beginSubmission(db, {
      idempotencyKey,
      service: 'presgen_avatar',
      protocol: 'presgen-avatar',
      workerId: this.opts.workerId,
    });
    let res: AvatarGenerateResponse;
    try {
      res = await this.opts.http.request(
        { ...this.request('generate', 'POST', PRESGEN_AVATAR_PATHS.generate), body: wire, retries: 0 },
        AvatarGenerateResponse,
      );
    } catch (err) {
      await finishSubmission(db, id, { outcome: outcomeOfFailure(err), error: classifyError(err).message });
      throw err;
    }
    if (!res.success || res.status === 'failed') {
      const error = res.message ?? 'success: false';
      await finishSubmission(db, id, { outcome: 'failed', externalId: res.job_id, error });
      throw new TransientError(`presgen_avatar generate: PresGen reported failure: ${error.slice(0, 300)}`, {
        reason: 'presgen_reported_failure',
      });
    }
    await finishSubmission(db, id, { outcome: 'succeeded', externalId: res.job_id });
    return { jobId: res.job_id, status: res.status === 'completed' ? 'running' : 'queued' };
  }

  async pollStatus(jobId: string): Promise<PollStatus> {
    const res = await this.opts.http.request(this.request('poll', 'GET', PRESGEN_AVATAR_PATHS.status(jobId)), AvatarStatusResponse);
    switch (res.status) {
      case 'completed': {
        if (!res.video_url) throw contractViolation('presgen_avatar', 'poll', 'video_url: required when status is completed');
        const result: VideoResult = { url: absoluteUrl(this.baseUrl, res.video_url), durationSeconds: 0 };
        return { status: 'succeeded', result };
      }
      case 'failed':
        return {
          status: 'failed',
          error: { code: 'avatar_failed', message: (res.error_message ?? 'no error_message').slice(0, 300), retryable: true },
        };
      default:
        return { status: 'running' };
    }
  }

  /** No cancel endpoint in the API as PresGen-Assess calls it. */
  async cancel(): Promise<unknown> {
    return undefined;
  }

  private request(operation: string, method: 'GET' | 'POST', path: string) {
    return {
      service: 'presgen_avatar' as const,
      operation,
      method,
      url: `${this.baseUrl}${path}`,
      headers: authHeader(this.opts.token),
      timeoutMs: this.opts.timeoutMs,
    };
  }
}

function authHeader(token: string | undefined): Record<string, string> | undefined {
  return token ? { authorization: `Bearer ${token}` } : undefined;
}

/**
 * A timeout or a lost connection after the request went out leaves the render's fate unknown
 * (PresGen may finish it); an HTTP answer (4xx, 5xx) or a contract violation means it did not.
 */
function outcomeOfFailure(err: unknown): SubmissionOutcome {
  const reason = classifyError(err).reason;
  return reason === 'timeout' || reason === 'network' ? 'unknown' : 'failed';
}

function contractViolation(service: ServiceName, operation: string, message: string): PermanentError {
  return new PermanentError(`${service} ${operation}: response violates the contract: ${message}`, { reason: 'contract_violation' });
}
