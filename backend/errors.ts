import { errorText } from './observability/error-text';

/**
 * Error classification shared by the engine and every integration.
 * Transient: worth retrying (network, 5xx, 429, timeouts); the engine retries durably with backoff.
 * Permanent: retrying cannot help (validation, other 4xx, contract violations); the engine
 * compensates and fails the workflow.
 */

export type ErrorCategory = 'transient' | 'permanent';

export class TransientError extends Error {
  readonly category = 'transient' as const;
  /** From a Retry-After header or a quota message: the earliest sensible retry. */
  readonly retryAfterMs?: number;
  /** Short machine-readable reason for metrics: 'http_5xx', 'http_429', 'timeout', 'network', 'circuit_open', ... */
  readonly reason: string;
  /** The retries already happened elsewhere (e.g. per PresGen job): go straight to NEEDS_ATTENTION. */
  readonly budgetSpent: boolean;
  constructor(message: string, opts: { reason: string; retryAfterMs?: number; cause?: unknown; budgetSpent?: boolean }) {
    super(message, { cause: opts.cause });
    this.name = 'TransientError';
    this.reason = opts.reason;
    this.retryAfterMs = opts.retryAfterMs;
    this.budgetSpent = opts.budgetSpent ?? false;
  }
}

export class PermanentError extends Error {
  readonly category = 'permanent' as const;
  readonly reason: string;
  readonly details?: unknown;
  constructor(message: string, opts: { reason: string; details?: unknown; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'PermanentError';
    this.reason = opts.reason;
    this.details = opts.details;
  }
}

/** Anything not explicitly classified is treated as transient: a bug retried a few times ends in NEEDS_ATTENTION, not silence. */
export function classifyError(err: unknown): TransientError | PermanentError {
  if (err instanceof TransientError || err instanceof PermanentError) return err;
  if (err && typeof err === 'object' && 'name' in err && (err as Error).name === 'ZodError') {
    return new PermanentError(`contract violation: ${(err as Error).message}`, { reason: 'contract_violation', cause: err });
  }
  const message = errorText(err);
  return new TransientError(message, { reason: 'unexpected', cause: err });
}

/** Parse an HTTP Retry-After header (seconds or HTTP date) into milliseconds from now. */
export { parseRetryAfter } from '../shared/backoff';
