import type { WorkflowView } from '../shared/contracts/api';
import { isTerminal } from '../shared/workflow-status';
import type { BackendClient } from './backend-client';
import { BackendError } from './http/backend-error';
import { errorMessage, log } from './runtime/log';
import type { JsonStore } from './storage/json-store';
import { FormRegistry } from './storage/form-registry';
import { SheetWorkflows } from './storage/sheet-workflows';
import { removeIdleTriggers } from './triggers';

/**
 * Keeps the installable triggers to what open workflows need: when a spreadsheet's last open
 * workflow finishes, its form-submit trigger goes (and the hourly one with the last of all).
 */

/** From a workflow list the sidebar fetched anyway: forget finished ones; prune triggers only when that changed something. */
export function noteFinishedWorkflows(store: JsonStore, views: WorkflowView[]): void {
  const finished = new Set(views.filter((v) => isTerminal(v.status)).map((v) => v.id));
  const sheets = new SheetWorkflows(store);
  if (!sheets.forget(finished)) return;
  // Their forms' records (item → question maps, posted response ids) are not needed any more.
  new FormRegistry(store).forgetWorkflows(finished);
  if (hasUntrackedOpen(views, sheets)) return;
  try {
    removeIdleTriggers(sheets.spreadsheetsWithOpenWorkflows());
  } catch (err) {
    log.warn('remove_idle_triggers_failed', { message: errorMessage(err) });
  }
}

/**
 * The hourly run: check every tracked workflow (the recent list, then one by one for older ones),
 * forget the finished or vanished, and remove triggers nothing needs, including those an older
 * version of the add-on installed in every spreadsheet where the sidebar was opened.
 */
export function reconcileTriggers(client: BackendClient, store: JsonStore): void {
  const sheets = new SheetWorkflows(store);
  const tracked = new Set(sheets.workflowIds());
  const finished = new Set<string>();
  const listed = client.listWorkflows({ limit: 100 }).items;
  for (const view of listed) if (tracked.has(view.id) && isTerminal(view.status)) finished.add(view.id);
  const seen = new Set(listed.map((v) => v.id));
  for (const id of tracked) {
    if (seen.has(id)) continue;
    try {
      if (isTerminal(client.getWorkflow(id).status)) finished.add(id);
    } catch (err) {
      if (err instanceof BackendError && err.status === 404) finished.add(id);
      else throw err;
    }
  }
  sheets.forget(finished);
  new FormRegistry(store).forgetWorkflows(new Set([...finished, ...listed.filter((v) => isTerminal(v.status)).map((v) => v.id)]));
  if (hasUntrackedOpen(listed, sheets)) return;
  removeIdleTriggers(sheets.spreadsheetsWithOpenWorkflows());
}

/**
 * An open workflow we have no spreadsheet for (started by a version of the add-on that did not
 * track them): we cannot tell which trigger it needs, so none is removed until it finishes.
 */
function hasUntrackedOpen(views: WorkflowView[], sheets: SheetWorkflows): boolean {
  const tracked = new Set(sheets.workflowIds());
  const untracked = views.some((v) => !isTerminal(v.status) && !tracked.has(v.id));
  if (untracked) log.info('idle_triggers_kept', { reason: 'untracked_open_workflow' });
  return untracked;
}

/**
 * The trigger cap was hit while starting an assessment in `spreadsheetId`: free the triggers no open
 * workflow needs (for example those an older version installed on every sidebar open). True when
 * something was removed, so installing again may now succeed.
 */
export function freeIdleTriggers(client: BackendClient, store: JsonStore, spreadsheetId: string): boolean {
  try {
    const sheets = new SheetWorkflows(store);
    const views = client.listWorkflows({ limit: 100 }).items;
    sheets.forget(new Set(views.filter((v) => isTerminal(v.status)).map((v) => v.id)));
    if (hasUntrackedOpen(views, sheets)) return false;
    const keep = sheets.spreadsheetsWithOpenWorkflows();
    keep.add(spreadsheetId);
    return removeIdleTriggers(keep) > 0;
  } catch (err) {
    log.warn('free_idle_triggers_failed', { message: errorMessage(err) });
    return false;
  }
}
