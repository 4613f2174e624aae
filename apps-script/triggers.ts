import { FORM_SUBMIT_HANDLER, HOURLY_PUMP_HANDLER } from './entry-names';
import { log } from './runtime/log';

/**
 * The add-on's two installable triggers, installed idempotently:
 * - ONE onFormSubmit trigger on the spreadsheet the add-on runs in. Every form the add-on creates
 *   sends its responses to this spreadsheet, so one trigger dispatches all of them (add-ons may not
 *   put triggers on forms, and may have one trigger of each type per document).
 * - ONE hourly time-driven pumpCommands per user (the most frequent an add-on may have).
 * Never called from onOpen: simple triggers may not create triggers.
 */

export interface TriggerReport {
  formSubmit: 'created' | 'present';
  hourly: 'created' | 'present';
  removed: number;
}

export function ensureTriggers(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet): TriggerReport {
  const lock = LockService.getDocumentLock() ?? LockService.getScriptLock();
  // Two sidebar calls at once must not both see "no trigger" and both create one.
  lock.waitLock(20_000);
  try {
    return installMissing(spreadsheet);
  } finally {
    lock.releaseLock();
  }
}

function installMissing(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet): TriggerReport {
  const report: TriggerReport = { formSubmit: 'present', hourly: 'present', removed: 0 };

  const formSubmitTriggers = ScriptApp.getUserTriggers(spreadsheet).filter(
    (t) => t.getEventType() === ScriptApp.EventType.ON_FORM_SUBMIT,
  );
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
