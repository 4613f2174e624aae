import type { CommandPayload, CommandResult, FormSubmission } from '../../shared/contracts/commands';
import { log } from '../runtime/log';
import { CommandRejected, type CommandContext } from './context';
import { toFormSubmission } from './submission-mapping';

/**
 * "Resume with Sheet URL": the instructor points at the spreadsheet the responses went to. We check
 * that it really holds this form's response tab, then read the form's responses (they carry item
 * ids, which map to question ids) as FormSubmissions. Read-only, so safe to run again.
 */
export function readResponses(payload: CommandPayload<'read_responses'>, ctx: CommandContext): CommandResult<'read_responses'> {
  const record = ctx.registry.get(payload.formId);
  if (!record) throw new CommandRejected('this form was not created by the PresGen-Assess add-on of this account');

  let spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet;
  try {
    spreadsheet = ctx.sheets.openByUrl(payload.spreadsheetUrl);
  } catch {
    throw new CommandRejected('the spreadsheet at that URL cannot be opened; check the link and your access to it');
  }
  const sheet = ctx.sheets.findResponseSheet(spreadsheet, (formUrl) => formUrlMatches(formUrl, payload.formId, ctx));
  if (!sheet) throw new CommandRejected("that spreadsheet has no responses tab for this assessment's form");

  const form = ctx.forms.openForm(payload.formId);
  const submissions: FormSubmission[] = [];
  for (const response of ctx.forms.responses(form)) {
    const mapped = toFormSubmission(payload.formId, response, record.itemQuestionIds);
    if (mapped.ok) submissions.push(mapped.submission);
    else log.warn('form_response_skipped', { reason: mapped.reason });
  }
  return { submissions };
}

/** Edit URLs contain the form id; a linked form with another URL shape is opened to compare ids. */
function formUrlMatches(formUrl: string, formId: string, ctx: CommandContext): boolean {
  if (formUrl.includes(formId)) return true;
  try {
    return ctx.forms.openFormByUrl(formUrl).getId() === formId;
  } catch {
    return false;
  }
}
