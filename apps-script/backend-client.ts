import { z } from 'zod';
import {
  API_PATHS,
  CertificationSummary,
  ClaimCommandsResponse,
  CompleteCommandResponse,
  FormSubmissionResponse,
  RenewCommandLeaseResponse,
  WorkflowDetail,
  WorkflowPage,
  WorkflowView,
  type CreateWorkflowRequest,
  type QuotaReport,
} from '../shared/contracts/api';
import type { CommandCompletion, FormSubmission } from '../shared/contracts/commands';
import type { StepStatus, WorkflowStatus } from '../shared/workflow-status';
import type { RenewalOutcome } from './commands/lease';
import { BackendError, backendErrorFrom } from './http/backend-error';
import { NETWORK_FAILURE_STATUS, decideHttpRetry, headerValue } from './http/retry-policy';
import type { ExecutionClock } from './runtime/clock';
import { errorMessage, log } from './runtime/log';

/**
 * The add-on's only door to the backend, and the only user of UrlFetchApp. Every call carries the
 * instructor's Google ID token; 5xx/429/network failures are retried with backoff (Retry-After
 * wins) inside the execution budget; failures surface as BackendError with a readable message.
 */

export interface HttpRequest {
  url: string;
  method: 'get' | 'post';
  headers: Record<string, string>;
  body?: string;
}
export interface HttpResponse {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}
/** Sends one request; throws only when no HTTP response arrived (DNS, connection, timeout). */
export type HttpTransport = (request: HttpRequest) => HttpResponse;

export interface BackendClientDeps {
  baseUrl: string;
  transport: HttpTransport;
  getIdToken: () => string;
  clock: ExecutionClock;
  /** Called once per HTTP attempt, for the daily UrlFetch quota count. */
  onRequest?: () => void;
  maxAttempts?: number;
  random?: () => number;
}

const RETRY = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 16_000, reserveMs: 5_000 };

const ClaimedCommandsEnvelope = ClaimCommandsResponse.extend({ commands: z.array(z.unknown()) });
const NoContent = z.unknown();

export type CompletionOutcome = 'accepted' | 'duplicate' | 'stale_lease';
/** Claimed commands (each validated on its own) and the backend's clock when it leased them. */
export interface ClaimedBatch {
  commands: unknown[];
  serverTimeMs?: number;
}
export type SubmissionOutcome = { outcome: 'accepted' | 'duplicate'; workflowId: string } | { outcome: 'not_ours' };

export class BackendClient {
  constructor(private readonly deps: BackendClientDeps) {}

  listCertifications(): z.infer<typeof CertificationSummary>[] {
    return this.call('get', API_PATHS.certifications, z.object({ items: z.array(CertificationSummary) })).body.items;
  }

  createWorkflow(request: CreateWorkflowRequest): WorkflowView {
    return this.call('post', API_PATHS.workflows, WorkflowView, request).body;
  }

  listWorkflows(query: { status?: WorkflowStatus; limit?: number; cursor?: string } = {}): WorkflowPage {
    const params: string[] = [];
    if (query.status) params.push(`status=${encodeURIComponent(query.status)}`);
    if (query.limit) params.push(`limit=${query.limit}`);
    if (query.cursor) params.push(`cursor=${encodeURIComponent(query.cursor)}`);
    const path = params.length ? `${API_PATHS.workflows}?${params.join('&')}` : API_PATHS.workflows;
    return this.call('get', path, WorkflowPage).body;
  }

  getWorkflow(id: string): WorkflowDetail {
    return this.call('get', API_PATHS.workflow(id), WorkflowDetail).body;
  }

  resumeWorkflow(id: string, sheetUrl: string): WorkflowView {
    return this.call('post', API_PATHS.resume(id), WorkflowView, { sheetUrl }).body;
  }

  cancelWorkflow(id: string, reason?: string): WorkflowView {
    return this.call('post', API_PATHS.cancel(id), WorkflowView, reason ? { reason } : {}).body;
  }

  retryWorkflow(id: string, fromStep?: StepStatus): WorkflowView {
    return this.call('post', API_PATHS.retry(id), WorkflowView, fromStep ? { fromStep } : {}).body;
  }

  /** Raw claimed commands: each is validated on its own, so one bad payload cannot block the rest. */
  claimCommands(spreadsheetId: string | undefined, max: number): ClaimedBatch {
    const body = spreadsheetId ? { spreadsheetId, max } : { max };
    const res = this.call('post', API_PATHS.claimCommands, ClaimedCommandsEnvelope, body);
    return { commands: res.body.commands, serverTimeMs: serverTime(res.headers) };
  }

  /** Extends the lease of a command still being worked on; 409 = another execution owns it now. */
  renewCommandLease(commandId: string, leaseToken: string): RenewalOutcome {
    const res = this.call('post', API_PATHS.renewCommand(commandId), RenewCommandLeaseResponse, { leaseToken }, [409]);
    if (res.status === 409) return 'stale_lease';
    return { leaseExpiresAt: res.body.leaseExpiresAt, serverTimeMs: serverTime(res.headers) };
  }

  /** 409 = our lease is stale: another execution owns the command now, so we drop it. */
  completeCommand(commandId: string, completion: CommandCompletion): CompletionOutcome {
    const res = this.call('post', API_PATHS.completeCommand(commandId), CompleteCommandResponse, completion, [409]);
    if (res.status === 409) return 'stale_lease';
    return res.body.duplicate ? 'duplicate' : 'accepted';
  }

  /** 404 = the form is not one of ours (or the workflow is gone): nothing to do. */
  postFormSubmission(submission: FormSubmission): SubmissionOutcome {
    const res = this.call('post', API_PATHS.formSubmissions, FormSubmissionResponse, submission, [404]);
    if (res.status === 404) return { outcome: 'not_ours' };
    return { outcome: res.body.duplicate ? 'duplicate' : 'accepted', workflowId: res.body.workflowId };
  }

  reportQuota(report: QuotaReport): void {
    this.call('post', API_PATHS.quota, NoContent, report);
  }

  /**
   * One logical call: retried while transient and the budget allows. `tolerated` statuses are
   * returned to the caller instead of thrown (their body is not validated).
   */
  private call<S extends z.ZodType>(
    method: 'get' | 'post',
    path: string,
    schema: S,
    body?: unknown,
    tolerated: number[] = [],
  ): { status: number; body: z.infer<S>; headers: Record<string, unknown> } {
    const url = this.deps.baseUrl + path;
    const maxAttempts = this.deps.maxAttempts ?? RETRY.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      const response = this.attempt(method, url, body);
      if (response.status >= 200 && response.status < 300) {
        return { status: response.status, body: parseBody(schema, response, path), headers: response.headers };
      }
      if (tolerated.includes(response.status)) return { status: response.status, body: undefined as z.infer<S>, headers: response.headers };

      const decision = decideHttpRetry({
        status: response.status,
        retryAfter: headerValue(response.headers, 'Retry-After'),
        attempt,
        maxAttempts,
        remainingMs: this.deps.clock.remainingMs(),
        reserveMs: RETRY.reserveMs,
        baseDelayMs: RETRY.baseDelayMs,
        maxDelayMs: RETRY.maxDelayMs,
        random: this.deps.random,
      });
      const error = backendErrorFrom(response.status, response.body);
      if (!decision.retry) {
        log.warn('backend_call_failed', {
          path: pathForLog(path),
          status: response.status,
          code: error.code,
          attempts: attempt,
          reason: decision.reason,
        });
        throw error;
      }
      log.info('backend_call_retry', { path: pathForLog(path), status: response.status, attempt, delay_ms: decision.delayMs });
      this.deps.clock.sleep(decision.delayMs);
    }
  }

  private attempt(method: 'get' | 'post', url: string, body: unknown): HttpResponse {
    this.deps.onRequest?.();
    const headers: Record<string, string> = { Authorization: `Bearer ${this.deps.getIdToken()}`, Accept: 'application/json' };
    try {
      return this.deps.transport({ url, method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      const message = errorMessage(err);
      if (/whitelist|allowlist/i.test(message)) {
        // A build configured for another backend URL: retrying cannot help.
        throw new BackendError(
          'This copy of the add-on is not allowed to call the PresGen-Assess service. Ask your administrator to redeploy it.',
          {
            status: NETWORK_FAILURE_STATUS,
            code: 'url_not_allowlisted',
            retryable: false,
          },
        );
      }
      log.warn('backend_unreachable', { message });
      return { status: NETWORK_FAILURE_STATUS, headers: {}, body: '' };
    }
  }
}

function parseBody<S extends z.ZodType>(schema: S, response: HttpResponse, path: string): z.infer<S> {
  let json: unknown;
  try {
    json = response.body ? JSON.parse(response.body) : undefined;
  } catch {
    json = Symbol('not json');
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const field = result.error.issues[0]?.path.join('.') || 'body';
  log.error('backend_contract_violation', { path: pathForLog(path), field });
  throw new BackendError(`PresGen-Assess sent a response this add-on does not understand (field "${field}"). Please update the add-on.`, {
    status: response.status,
    code: 'bad_response',
    retryable: false,
  });
}

/** The backend's clock from the HTTP Date header (whole seconds), when it sent one. */
function serverTime(headers: Record<string, unknown>): number | undefined {
  const parsed = Date.parse(headerValue(headers, 'Date') ?? '');
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** Paths without ids or query strings, so logs stay free of anything personal. */
function pathForLog(path: string): string {
  return path.split('?')[0].replace(/\/api\/(workflows|workspace\/commands)\/[^/]+/, '/api/$1/:id');
}

/** The real transport: UrlFetchApp with muteHttpExceptions, so 4xx/5xx come back as responses. */
export const urlFetchTransport: HttpTransport = (request) => {
  const params: GoogleAppsScript.URL_Fetch.URLFetchRequestOptions = {
    method: request.method,
    headers: request.headers,
    muteHttpExceptions: true,
  };
  if (request.body !== undefined) {
    params.contentType = 'application/json';
    params.payload = request.body;
  }
  const response = UrlFetchApp.fetch(request.url, params);
  return {
    status: response.getResponseCode(),
    headers: response.getHeaders() as Record<string, unknown>,
    body: response.getContentText(),
  };
};
