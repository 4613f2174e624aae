import { ErrorBody } from '../../shared/contracts/api';
import { NETWORK_FAILURE_STATUS } from './retry-policy';

/**
 * A failed backend call, with a message an instructor can read in the sidebar. 4xx messages come
 * from the backend (they name the field that was wrong); 5xx, 429 and network failures get our own
 * wording because the raw text is meant for engineers.
 */
export class BackendError extends Error {
  readonly status: number;
  readonly code: string;
  /** Worth trying again later (the pump leaves the command for the next run). */
  readonly retryable: boolean;
  /** Fields the backend named as invalid, if any. */
  readonly fields: string[];
  constructor(message: string, opts: { status: number; code: string; retryable: boolean; fields?: string[] }) {
    super(message);
    this.name = 'BackendError';
    this.status = opts.status;
    this.code = opts.code;
    this.retryable = opts.retryable;
    this.fields = opts.fields ?? [];
  }
}

const PRODUCT = 'PresGen-Assess';

/**
 * Field paths out of an error's details: the backend's `[{ field: "body.learnerEmail", message }]`
 * (shown without the `body.` prefix: the instructor filled in a form, not a body), zod-style issues
 * (`[{ path }]`, `{ issues: [...] }`) or `{ fields: [...] }`.
 */
export function fieldsFromDetails(details: unknown): string[] {
  const list: unknown[] = Array.isArray(details)
    ? details
    : details && typeof details === 'object'
      ? ((details as { issues?: unknown[]; fields?: unknown[] }).issues ?? (details as { fields?: unknown[] }).fields ?? [])
      : [];
  const fields = new Set<string>();
  for (const entry of Array.isArray(list) ? list : []) {
    if (typeof entry === 'string') fields.add(entry);
    else if (entry && typeof entry === 'object' && typeof (entry as { field?: unknown }).field === 'string') {
      const field = (entry as { field: string }).field.replace(/^(body|query|params)\./, '');
      if (field) fields.add(field);
    } else if (entry && typeof entry === 'object' && Array.isArray((entry as { path?: unknown[] }).path)) {
      const path = (entry as { path: unknown[] }).path.map(String).join('.');
      if (path) fields.add(path);
    }
  }
  return [...fields];
}

/** Turn a non-2xx response (or a network failure: status 0) into a BackendError. */
export function backendErrorFrom(status: number, bodyText: string | undefined): BackendError {
  let parsed: ErrorBody | undefined;
  try {
    const result = ErrorBody.safeParse(bodyText ? JSON.parse(bodyText) : undefined);
    if (result.success) parsed = result.data;
  } catch {
    // Not JSON (a proxy's HTML error page, an empty body): fall back to our own wording.
  }
  const code = parsed?.error.code ?? (status === NETWORK_FAILURE_STATUS ? 'network_error' : `http_${status}`);
  const fields = fieldsFromDetails(parsed?.error.details);
  const retryable = status === NETWORK_FAILURE_STATUS || status === 408 || status === 429 || status >= 500;
  return new BackendError(instructorMessage(status, parsed?.error.message, fields), { status, code, retryable, fields });
}

export function instructorMessage(status: number, backendMessage: string | undefined, fields: string[] = []): string {
  if (status === NETWORK_FAILURE_STATUS) return `Could not reach ${PRODUCT}. Check your connection and try again in a few minutes.`;
  if (status === 401) return `${PRODUCT} could not verify your Google sign-in. Reload the spreadsheet and try again.`;
  if (status === 429) return `${PRODUCT} is busy right now. Please try again in a minute.`;
  if (status >= 500) return `${PRODUCT} is temporarily unavailable (HTTP ${status}). Please try again in a few minutes.`;
  const base =
    backendMessage?.trim() ||
    (status === 403
      ? 'You do not have access to this workflow.'
      : status === 404
        ? 'That workflow or item no longer exists.'
        : `${PRODUCT} refused the request (HTTP ${status}).`);
  const missing = fields.filter((f) => !base.includes(f));
  return missing.length ? `${base} (check: ${missing.join(', ')})` : base;
}
