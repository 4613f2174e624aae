import type { CommandPayload, CommandResult } from '../../shared/contracts/commands';
import type { CommandContext } from './context';

/**
 * Step 3: the learner's Drive folder, the quiz form (answer key, points, email collection,
 * responses to the add-on's spreadsheet, published) and the per-learner results spreadsheet.
 * Nothing is shared here (see set_sharing).
 *
 * Resumable: every created id is saved as progress under the command id before the next step, so
 * an execution killed half way and a re-delivered command reuse the folder/form/sheet already made
 * instead of creating a second set. The command's lease is kept alive between the slow phases, so
 * no other execution is offered it while this one works (see pump.ts for a concurrent claim).
 */

interface Progress {
  folderId: string;
  formId: string;
  resultsSpreadsheetId: string;
}

export function createAssessmentAssets(
  commandId: string,
  payload: CommandPayload<'create_assessment_assets'>,
  ctx: CommandContext,
): CommandResult<'create_assessment_assets'> {
  const progress = ctx.ledger.progress<Progress>(commandId);
  const save = () => ctx.ledger.saveProgress(commandId, progress);

  const folder = progress.folderId ? ctx.drive.getFolder(progress.folderId) : ctx.drive.createFolder(payload.folderName);
  if (!progress.folderId) {
    progress.folderId = folder.getId();
    save();
  }
  ctx.lease.keepAlive();

  const form = progress.formId ? ctx.forms.openForm(progress.formId) : ctx.forms.createForm(payload.formTitle, payload.formDescription);
  if (!progress.formId) {
    progress.formId = form.getId();
    save();
  }
  ctx.lease.keepAlive();

  // ~5 FormApp calls per question: the lease is checked after each one (renewed only when half gone).
  const itemIds = ctx.forms.ensureQuizItems(form, payload.items, () => ctx.lease.keepAlive());
  const itemQuestionIds: Record<string, string> = {};
  itemIds.forEach((itemId, i) => (itemQuestionIds[itemId] = payload.items[i].questionId));
  // Registered before publishing: the first submission can arrive the moment the form is live.
  ctx.registry.register(progress.formId, { workflowId: payload.workflowId, itemQuestionIds });

  ctx.forms.setDestination(form, payload.destinationSpreadsheetId);
  const published = ctx.forms.publishForm(form);
  if (!published) throw new Error('the form could not be published');
  ctx.drive.move(progress.formId, folder);
  ctx.lease.keepAlive();

  const results = progress.resultsSpreadsheetId
    ? ctx.sheets.open(progress.resultsSpreadsheetId)
    : ctx.sheets.createSheet(payload.resultsSpreadsheetName);
  if (!progress.resultsSpreadsheetId) {
    progress.resultsSpreadsheetId = results.getId();
    save();
  }
  ctx.drive.move(progress.resultsSpreadsheetId, folder);

  // No sharing here: a Workspace domain may refuse it, and that must not undo step 3. Sharing is
  // the separate, best-effort set_sharing command of step 11 (payload.shareWithLearner is legacy).

  return {
    folderId: progress.folderId,
    folderUrl: folder.getUrl(),
    formId: progress.formId,
    formUrl: form.getEditUrl(),
    formResponderUrl: form.getPublishedUrl(),
    formPublished: true,
    resultsSpreadsheetId: progress.resultsSpreadsheetId,
    resultsSpreadsheetUrl: results.getUrl(),
    itemQuestionIds,
  };
}
