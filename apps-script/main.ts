/**
 * Entry points: the only functions Apps Script, triggers and google.script.run can call. The build
 * declares a top-level wrapper for every export of this file, so keep this file exports-only-for-
 * entry-points and thin: each one wires a runtime and delegates to a plain module.
 */
// First: Apps Script has no URL, and the zod contracts need one.
import './runtime/install-url';
import type { WorkflowDetail, WorkflowView } from '../shared/contracts/api';
import { SHOW_SIDEBAR_HANDLER, SIDEBAR_FILE } from './entry-names';
import {
  formIdForSubmitEvent,
  postAllNewResponses,
  postNewResponses,
  retryPendingSubmissions,
  type SheetFormSubmitEvent,
} from './form-submit';
import { BackendError } from './http/backend-error';
import { pumpCommands as runPump, type PumpStats } from './pump';
import { dailyQuotaNotice } from './quota';
import { createAddonRuntime, flushQuotaUsage, type AddonRuntime } from './runtime/addon-runtime';
import { ConsentRequiredError, reauthorizationNotice, triggerMayRun } from './runtime/consent';
import { errorMessage, log, redact } from './runtime/log';
import { InvalidInputError, SheetUrl, StartAssessmentForm, WorkflowId, buildCreateWorkflowRequest, parseInput } from './sidebar-input';
import { SheetWorkflows } from './storage/sheet-workflows';
import { freeIdleTriggers, noteFinishedWorkflows, reconcileTriggers } from './trigger-budget';
import { ensureTriggers as installTriggers, tryEnsureTriggers, type TriggerReport } from './triggers';

const PRODUCT = 'PresGen-Assess';

// ---- simple triggers: 30 s, limited authorization (no UrlFetch, no triggers): menu only ----

export function onOpen(_e?: GoogleAppsScript.Events.SheetsOnOpen): void {
  SpreadsheetApp.getUi().createAddonMenu().addItem(`Open ${PRODUCT}`, SHOW_SIDEBAR_HANDLER).addToUi();
}

export function onInstall(e?: GoogleAppsScript.Events.AddonOnInstall): void {
  onOpen(e as GoogleAppsScript.Events.SheetsOnOpen | undefined);
}

// ---- menu ----

/** Opens the sidebar only: triggers are installed when an assessment starts (20 per user in all). */
export function showSidebar(): void {
  const html = HtmlService.createHtmlOutputFromFile(SIDEBAR_FILE).setTitle(PRODUCT);
  SpreadsheetApp.getUi().showSidebar(html);
}

export function ensureTriggers(): TriggerReport {
  return installTriggers(activeSpreadsheet());
}

// ---- sidebar RPCs (google.script.run): errors are thrown as plain-words messages ----

export function sidebarBootstrap(): {
  certifications: Array<{ id: string; name: string; vendor: string }>;
  workflows: WorkflowView[];
  /** Set when an update added scopes and the user must authorise again (triggers have stopped). */
  reauthorization?: string;
} {
  return sidebarCall((rt) => ({
    certifications: rt.client.listCertifications(),
    workflows: listAndTrack(rt),
    reauthorization: reauthorizationNotice(rt.store),
  }));
}

/** The new workflow, and `notice` when it runs without automatic triggers (test deployment, trigger cap). */
export function startAssessment(form: unknown): WorkflowView & { notice?: string } {
  return sidebarCall((rt) => {
    const input = parseInput(StartAssessmentForm, form);
    const spreadsheet = activeSpreadsheet();
    // Responses of the new form land in this spreadsheet: its trigger should exist before step 3.
    // Starting never fails for want of a trigger: the sidebar pump and "Check for responses" stand in.
    let triggers = tryEnsureTriggers(spreadsheet);
    if (!triggers.ok && triggers.reason === 'trigger_cap' && freeIdleTriggers(rt.client, rt.store, spreadsheet.getId())) {
      triggers = tryEnsureTriggers(spreadsheet);
    }
    const request = buildCreateWorkflowRequest(input, spreadsheet.getId(), () => Utilities.getUuid());
    const view = rt.client.createWorkflow(request);
    new SheetWorkflows(rt.store).record(spreadsheet.getId(), view.id);
    return triggers.ok ? view : { ...view, notice: triggers.message };
  });
}

export function listMyWorkflows(): WorkflowView[] {
  return sidebarCall((rt) => listAndTrack(rt));
}

/** "Check for responses": post submissions no trigger delivered, then run the commands they unlock. */
export function checkForResponses(): { posted: number; pump: PumpStats } {
  return sidebarCall((rt) => {
    const posted = postAllNewResponses(rt.client, rt.ctx, rt.store);
    const pump = runSidebarPump(rt);
    flushQuotaUsage(rt);
    return { posted, pump };
  });
}

export function getWorkflowDetail(id: unknown): WorkflowDetail {
  return sidebarCall((rt) => rt.client.getWorkflow(parseInput(WorkflowId, id, 'workflowId')));
}

export function resumeWithSheetUrl(id: unknown, sheetUrl: unknown): WorkflowView {
  return sidebarCall((rt) =>
    rt.client.resumeWorkflow(parseInput(WorkflowId, id, 'workflowId'), parseInput(SheetUrl, sheetUrl, 'sheetUrl')),
  );
}

export function retryWorkflow(id: unknown): WorkflowView {
  return sidebarCall((rt) => rt.client.retryWorkflow(parseInput(WorkflowId, id, 'workflowId')));
}

export function cancelWorkflow(id: unknown): WorkflowView {
  return sidebarCall((rt) =>
    rt.client.cancelWorkflow(parseInput(WorkflowId, id, 'workflowId'), 'cancelled by the instructor in the sidebar'),
  );
}

/** A pump inside a sidebar call: this spreadsheet's commands, within the sidebar's short budget, no idle waiting. */
function runSidebarPump(rt: AddonRuntime): PumpStats {
  return runPump(rt.client, rt.ctx, {
    spreadsheetId: activeSpreadsheet().getId(),
    claimBatchSize: rt.settings.PRESGEN_CLAIM_BATCH,
    commandEstimateMs: rt.settings.PRESGEN_COMMAND_ESTIMATE_MS,
    stopAfterMs: rt.settings.PRESGEN_SIDEBAR_BUDGET_MS,
    idleWaitMs: 0,
    pollIntervalMs: rt.settings.PRESGEN_PUMP_POLL_MS,
    commandReserveMs: 0,
  });
}

/** Called by the open sidebar every few seconds: a short pump, no idle waiting. */
export function pumpNow(): PumpStats {
  return sidebarCall((rt) => {
    const stats = runSidebarPump(rt);
    flushQuotaUsage(rt);
    return stats;
  });
}

// ---- installable triggers ----

/** The ONE spreadsheet-level onFormSubmit trigger, for every form the add-on created. */
export function onFormSubmitDispatcher(e: SheetFormSubmitEvent): void {
  const rt = createAddonRuntime('trigger');
  // After an update that added scopes, stop here (the sidebar tells the instructor) instead of failing.
  if (!triggerMayRun(rt.store)) return;
  const spreadsheet = e.source ?? SpreadsheetApp.getActiveSpreadsheet();
  const lock = LockService.getDocumentLock() ?? LockService.getScriptLock();
  // Two submissions at once: the second waits, then finds the first's responses already posted.
  lock.waitLock(30_000);
  let workflowId: string | undefined;
  try {
    const formId = formIdForSubmitEvent(e, rt.ctx);
    if (formId) {
      postNewResponses(formId, rt.client, rt.ctx, rt.store);
      workflowId = rt.ctx.registry.get(formId)?.workflowId;
    } else log.info('form_submit_ignored', { reason: 'not_our_form' });
  } finally {
    lock.releaseLock();
  }
  // Steps 5–8 follow within seconds; keep draining so their tabs land now, not in an hour, but
  // only while that workflow is in those steps (nothing else is pending for Apps Script).
  runPump(rt.client, rt.ctx, {
    spreadsheetId: spreadsheet ? spreadsheet.getId() : undefined,
    claimBatchSize: rt.settings.PRESGEN_CLAIM_BATCH,
    commandEstimateMs: rt.settings.PRESGEN_COMMAND_ESTIMATE_MS,
    stopAfterMs: rt.settings.PRESGEN_PUMP_AFTER_SUBMIT_MS,
    idleWaitMs: rt.settings.PRESGEN_PUMP_IDLE_STOP_MS,
    pollIntervalMs: rt.settings.PRESGEN_PUMP_POLL_MS,
    commandReserveMs: rt.settings.PRESGEN_COMMAND_RESERVE_MS,
    moreComingSoon: () => (workflowId ? workflowHasAppsScriptStepsAhead(rt, workflowId) : false),
  });
  flushQuotaUsage(rt);
}

/** Hourly safety net (time-driven: no active document, so all of this instructor's commands). */
export function pumpCommands(): PumpStats | { skipped: 'reauthorization_required' } {
  const rt = createAddonRuntime('trigger');
  if (!triggerMayRun(rt.store)) return { skipped: 'reauthorization_required' };
  try {
    retryPendingSubmissions(rt.client, rt.ctx, rt.store);
  } catch (err) {
    log.warn('pending_submissions_failed', { message: errorMessage(err) });
  }
  try {
    reconcileTriggers(rt.client, rt.store);
  } catch (err) {
    log.warn('reconcile_triggers_failed', { message: errorMessage(err) });
  }
  const stats = runPump(rt.client, rt.ctx, {
    spreadsheetId: undefined,
    claimBatchSize: rt.settings.PRESGEN_CLAIM_BATCH,
    commandEstimateMs: rt.settings.PRESGEN_COMMAND_ESTIMATE_MS,
    stopAfterMs: rt.settings.PRESGEN_PUMP_HOURLY_MS,
    idleWaitMs: 0,
    pollIntervalMs: rt.settings.PRESGEN_PUMP_POLL_MS,
    commandReserveMs: rt.settings.PRESGEN_COMMAND_RESERVE_MS,
  });
  flushQuotaUsage(rt);
  return stats;
}

// ---- helpers (not exported: only entry points may be exported from this file) ----

/** Statuses after a submission that will still enqueue Apps Script commands (tabs of steps 6–8). */
const AFTER_SUBMIT_STEPS: ReadonlySet<string> = new Set([
  'AWAITING_COMPLETION',
  'ANALYZING_RESULTS',
  'WRITING_GAP_ANALYSIS',
  'GENERATING_TRAINING_PLAN',
  'GENERATING_COURSE_OUTLINES',
]);

function workflowHasAppsScriptStepsAhead(rt: AddonRuntime, workflowId: string): boolean {
  try {
    return AFTER_SUBMIT_STEPS.has(rt.client.getWorkflow(workflowId).status);
  } catch (err) {
    log.warn('workflow_status_unavailable', { workflow_id: workflowId, message: errorMessage(err) });
    return false;
  }
}

function listAndTrack(rt: AddonRuntime): WorkflowView[] {
  const items = rt.client.listWorkflows({ limit: 20 }).items;
  noteFinishedWorkflows(rt.store, items);
  return items;
}

function activeSpreadsheet(): GoogleAppsScript.Spreadsheet.Spreadsheet {
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  if (!spreadsheet) throw new InvalidInputError(`Open ${PRODUCT} from a Google Sheets spreadsheet.`);
  return spreadsheet;
}

/** Run a sidebar call with a short budget; rethrow anything as a message an instructor can read. */
function sidebarCall<T>(fn: (rt: AddonRuntime) => T): T {
  try {
    return fn(createAddonRuntime('sidebar'));
  } catch (err) {
    // google.script.run hands the sidebar only the message: a fresh Error with a readable, redacted
    // message, deliberately without the original as its cause.
    if (err instanceof InvalidInputError || err instanceof BackendError || err instanceof ConsentRequiredError) {
      // eslint-disable-next-line preserve-caught-error
      throw new Error(err.message);
    }
    const quotaNotice = dailyQuotaNotice(err);
    if (quotaNotice) {
      log.warn('sidebar_call_daily_quota', { message: errorMessage(err) });
      // eslint-disable-next-line preserve-caught-error
      throw new Error(quotaNotice);
    }
    log.error('sidebar_call_failed', { message: errorMessage(err) });
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`Something went wrong in the ${PRODUCT} add-on: ${redact(errorMessage(err))}`);
  }
}
