import type { BackendClient } from './backend-client';
import { BackendError } from './http/backend-error';
import { toFormSubmission } from './commands/submission-mapping';
import type { CommandContext } from './commands/context';
import { errorMessage, log } from './runtime/log';
import type { JsonStore } from './storage/json-store';

/**
 * The one spreadsheet-level onFormSubmit trigger: find which of our forms the submission came from
 * (by the response tab's form URL), map its responses to question ids and post them to the backend,
 * which resumes the workflow parked at step 4.
 *
 * Every not-yet-posted response of the form is posted, not only "the" new one: a trigger run that
 * failed earlier (backend down) is made good by the next run, and the backend dedupes by response id.
 */

/** The parts of the Sheets form-submit event we read. */
export interface SheetFormSubmitEvent {
  range: GoogleAppsScript.Spreadsheet.Range;
  source?: GoogleAppsScript.Spreadsheet.Spreadsheet;
}

/** Forms whose responses could not be posted yet; the hourly pump tries them again. */
const PENDING_KEY = 'forms:pending-submissions';

export interface DispatchResult {
  formId?: string;
  posted: number;
  /** Why nothing was posted, if so. */
  skipped?: 'not_a_form_sheet' | 'unknown_form' | 'nothing_new' | 'backend_unavailable';
}

/**
 * Which of OUR forms the submission came from; undefined for a sheet without a form and for any
 * other form linked to the spreadsheet (someone else's, which we may not even be allowed to open):
 * those are ignored, and the trigger still goes on to pump.
 */
export function formIdForSubmitEvent(e: SheetFormSubmitEvent, ctx: CommandContext): string | undefined {
  const formUrl = e.range.getSheet().getFormUrl();
  if (!formUrl) return undefined;
  const ours = ctx.registry.formIds();
  const byUrl = ours.find((id) => formUrl.includes(id));
  if (byUrl) return byUrl;
  try {
    // Another URL shape (the responder link): open it to compare ids.
    const id = ctx.forms.openFormByUrl(formUrl).getId();
    return ours.includes(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

export function postNewResponses(formId: string, client: BackendClient, ctx: CommandContext, store: JsonStore): DispatchResult {
  const record = ctx.registry.get(formId);
  if (!record) {
    log.info('form_submit_ignored', { reason: 'unknown_form' });
    return { formId, posted: 0, skipped: 'unknown_form' };
  }
  const already = new Set(record.postedResponseIds ?? []);
  const form = ctx.forms.openForm(formId);
  const done: string[] = [];
  let posted = 0;
  try {
    for (const response of ctx.forms.responses(form)) {
      const responseId = response.getId();
      if (already.has(responseId)) continue;
      const mapped = toFormSubmission(formId, response, record.itemQuestionIds);
      if (!mapped.ok) {
        log.warn('form_response_skipped', { workflow_id: record.workflowId, reason: mapped.reason });
        done.push(responseId);
        continue;
      }
      try {
        const outcome = client.postFormSubmission(mapped.submission);
        log.info('form_submission_posted', { workflow_id: record.workflowId, outcome: outcome.outcome });
        posted++;
      } catch (err) {
        // Refused for good (e.g. the workflow was cancelled): do not offer it again.
        if (!(err instanceof BackendError) || err.retryable) throw err;
        log.warn('form_submission_refused', { workflow_id: record.workflowId, status: err.status, code: err.code });
      }
      done.push(responseId);
    }
  } catch (err) {
    ctx.registry.markPosted(formId, done);
    markPending(store, formId, true);
    log.warn('form_submission_deferred', { workflow_id: record.workflowId, message: errorMessage(err) });
    return { formId, posted, skipped: 'backend_unavailable' };
  }
  ctx.registry.markPosted(formId, done);
  markPending(store, formId, false);
  return posted ? { formId, posted } : { formId, posted, skipped: 'nothing_new' };
}

/**
 * "Check for responses" (sidebar): post every not-yet-posted response of every form this add-on
 * created. Without installable triggers (test deployments, the trigger cap) this is how a
 * submission reaches the backend.
 */
export function postAllNewResponses(client: BackendClient, ctx: CommandContext, store: JsonStore): number {
  let posted = 0;
  for (const formId of ctx.registry.formIds()) posted += postNewResponses(formId, client, ctx, store).posted;
  return posted;
}

/** Retry forms whose submissions could not be posted earlier (called by the hourly pump). */
export function retryPendingSubmissions(client: BackendClient, ctx: CommandContext, store: JsonStore): number {
  const pending = store.get<string[]>(PENDING_KEY) ?? [];
  let posted = 0;
  for (const formId of pending) posted += postNewResponses(formId, client, ctx, store).posted;
  return posted;
}

function markPending(store: JsonStore, formId: string, pending: boolean): void {
  const current = store.get<string[]>(PENDING_KEY) ?? [];
  const has = current.includes(formId);
  if (pending && !has) store.set(PENDING_KEY, [...current, formId]);
  if (!pending && has)
    store.set(
      PENDING_KEY,
      current.filter((id) => id !== formId),
    );
}
