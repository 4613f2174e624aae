import type { z } from 'zod';
import type { ServiceName } from '../observability/metrics';
import { PermanentError, TransientError } from '../errors';
import type { OutboundHttpClient } from './http-client';
import { IDEMPOTENCY_KEY, JobAccepted, PRESGEN_PATHS, type JobError } from './presgen-contract';

/**
 * The async-job half shared by PresGen Core and PresGen Avatar: submit with an idempotency key,
 * poll, cancel. Transport concerns (retries, breaker, logging, metrics) live in OutboundHttpClient.
 */

export interface PresgenClientOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  http: OutboundHttpClient;
  /** Per-attempt timeout override for this service. */
  timeoutMs?: number;
}

export interface PresgenJobSpec<TInput, TStatus> {
  service: ServiceName;
  submitPath: string;
  input: z.ZodType<TInput>;
  status: z.ZodType<TStatus>;
}

export class PresgenJobClient<TInput, TStatus> {
  private readonly baseUrl: string;

  constructor(
    private readonly spec: PresgenJobSpec<TInput, TStatus>,
    private readonly opts: PresgenClientOptions,
  ) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  /** Same key → same job: a retried submit never creates a second deck or video. */
  async submit(input: TInput, idempotencyKey: string): Promise<JobAccepted> {
    const body = this.validateInput(input);
    const key = IDEMPOTENCY_KEY.safeParse(idempotencyKey);
    if (!key.success) {
      throw new PermanentError('idempotencyKey: must be 1..255 characters', { reason: 'invalid_input' });
    }
    return this.opts.http.request({ ...this.base('submit', 'POST', this.spec.submitPath), body, idempotencyKey: key.data }, JobAccepted);
  }

  async pollStatus(jobId: string): Promise<TStatus> {
    return this.opts.http.request(this.base('poll', 'GET', PRESGEN_PATHS.job(jobId)), this.spec.status);
  }

  /** Idempotent: cancelling a finished job answers its final status. */
  async cancel(jobId: string): Promise<JobAccepted> {
    return this.opts.http.request(this.base('cancel', 'POST', PRESGEN_PATHS.cancel(jobId)), JobAccepted);
  }

  private base(operation: string, method: 'GET' | 'POST', path: string) {
    return {
      service: this.spec.service,
      operation,
      method,
      url: `${this.baseUrl}${path}`,
      headers: this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : undefined,
      timeoutMs: this.opts.timeoutMs,
    };
  }

  private validateInput(input: TInput): TInput {
    return validateInput(this.spec.service, this.spec.input, input);
  }
}

/** A bad input is our own bug: fail permanently before any request, naming the field. */
export function validateInput<T>(service: ServiceName, schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
  throw new PermanentError(`${service} submit: invalid input: ${fields}`, { reason: 'invalid_input' });
}

/**
 * A job that ended in `failed` as the error the engine should act on: PresGen says whether a new
 * attempt can help (`retryable`), e.g. a render farm hiccup vs. a deck it cannot render.
 */
export function jobFailureError(service: ServiceName, error: JobError | undefined): TransientError | PermanentError {
  const code = error?.code ?? 'unknown';
  const message = `${service} job failed: ${code}${error?.message ? ` ${error.message.slice(0, 200)}` : ''}`;
  return error?.retryable
    ? new TransientError(message, { reason: 'job_failed' })
    : new PermanentError(message, { reason: 'job_failed', details: { code } });
}
