import { FORM_SUBMIT_HANDLER, HOURLY_PUMP_HANDLER } from './entry-names';
import { errorMessage, log } from './runtime/log';

/**
 * The add-on's installable triggers, kept within Google's budget of 20 triggers per user:
 * - ONE onFormSubmit trigger on a spreadsheet, installed when an assessment starts there (its form's
 *   responses land in that spreadsheet) and removed once the spreadsheet has no open workflow;
 * - ONE hourly time-driven pumpCommands per user, while the user has any open workflow.
 * Never installed from onOpen (simple triggers may not) nor on sidebar open (that filled the budget
 * one spreadsheet at a time). Installation may fail (test deployments have no installable triggers,
 * the cap is reached): the add-on then works without them, from the sidebar.
 */

export interface TriggerReport {
  formSubmit: 'created' | 'present';
  hourly: 'created' | 'present';
  removed: number;
}

export type TriggerInstallOutcome =
  { ok: true; report: TriggerReport } | { ok: false; reason: 'trigger_cap' | 'unavailable'; message: string };

const CAP = /too many triggers/i;

export function ensureTriggers(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet): TriggerReport {
  return withTriggerLock(() => installMissing(spreadsheet));
}

/** ensureTriggers, with a failure turned into words for the instructor instead of an exception. */
export function tryEnsureTriggers(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet): TriggerInstallOutcome {
  try {
    return { ok: true, report: ensureTriggers(spreadsheet) };
  } catch (err) {
    const cap = CAP.test(errorMessage(err));
    log.warn('ensure_triggers_failed', { reason: cap ? 'trigger_cap' : 'unavailable', message: errorMessage(err) });
    return cap
      ? {
          ok: false,
          reason: 'trigger_cap',
          message:
            'Google allows each person 20 triggers for this add-on and yours are all in use, so this spreadsheet cannot get its automatic ' +
            'form-submit trigger. The assessment runs anyway: keep this sidebar open and click "Check for responses" after the learner ' +
            'submits. To free triggers, finish or cancel assessments in other spreadsheets, or delete old triggers at script.google.com → Triggers.',
        }
      : {
          ok: false,
          reason: 'unavailable',
          message:
            'Automatic triggers are not available here (for example in a test deployment), so nothing runs while this sidebar is closed. ' +
            'The assessment runs anyway: keep this sidebar open and click "Check for responses" after the learner submits.',
        };
  }
}

/**
 * Remove the form-submit triggers of spreadsheets without an open workflow, and the hourly trigger
 * when no spreadsheet has one. Returns how many triggers were deleted.
 */
export function removeIdleTriggers(spreadsheetsWithOpenWorkflows: ReadonlySet<string>): number {
  return withTriggerLock(() => {
    let removed = 0;
    for (const trigger of ScriptApp.getProjectTriggers()) {
      const handler = trigger.getHandlerFunction();
      const idleFormSubmit =
        handler === FORM_SUBMIT_HANDLER &&
        trigger.getEventType() === ScriptApp.EventType.ON_FORM_SUBMIT &&
        !spreadsheetsWithOpenWorkflows.has(trigger.getTriggerSourceId());
      const idleHourly = handler === HOURLY_PUMP_HANDLER && spreadsheetsWithOpenWorkflows.size === 0;
      if (!idleFormSubmit && !idleHourly) continue;
      ScriptApp.deleteTrigger(trigger);
      removed++;
    }
    if (removed) log.info('idle_triggers_removed', { removed });
    return removed;
  });
}

function withTriggerLock<T>(fn: () => T): T {
  const lock = LockService.getDocumentLock() ?? LockService.getScriptLock();
  // Two calls at once must not both see "no trigger" and both create one.
  lock.waitLock(20_000);
  try {
    return fn();
  } finally {
    lock.releaseLock();
  }
}

function installMissing(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet): TriggerReport {
  const report: TriggerReport = { formSubmit: 'present', hourly: 'present', removed: 0 };

  const formSubmitTriggers = ScriptApp.getUserTriggers(spreadsheet).filter((t) => t.getEventType() === ScriptApp.EventType.ON_FORM_SUBMIT);
  const keep = formSubmitTriggers.find((t) => t.getHandlerFunction() === FORM_SUBMIT_HANDLER);
  // A stale trigger of the same type (old handler name, a duplicate) would block ours or double-dispatch.
  for (const trigger of formSubmitTriggers) {
    if (trigger === keep) continue;
    ScriptApp.deleteTrigger(trigger);
    report.removed++;
  }
  if (!keep) {
    ScriptApp.newTrigger(FORM_SUBMIT_HANDLER).forSpreadsheet(spreadsheet).onFormSubmit().create();
    report.formSubmit = 'created';
  }

  const hourly = ScriptApp.getProjectTriggers().filter(
    (t) => t.getEventType() === ScriptApp.EventType.CLOCK && t.getHandlerFunction() === HOURLY_PUMP_HANDLER,
  );
  for (const extra of hourly.slice(1)) {
    ScriptApp.deleteTrigger(extra);
    report.removed++;
  }
  if (hourly.length === 0) {
    ScriptApp.newTrigger(HOURLY_PUMP_HANDLER).timeBased().everyHours(1).create();
    report.hourly = 'created';
  }

  if (report.formSubmit === 'created' || report.hourly === 'created' || report.removed) log.info('triggers_installed', { ...report });
  return report;
}
