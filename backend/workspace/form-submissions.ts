import { asc, eq, sql } from 'drizzle-orm';
import type { FormSubmission } from '../../shared/contracts/commands';
import { rows, type Database } from '../db/client';
import { formSubmissions, workflows } from '../db/schema';
import { wakeWorkflowsCte } from '../db/wake-workflows';

/**
 * Learner submissions, posted by the add-on's form-submit trigger (or read back by "Resume with
 * Sheet URL"). Deduplicated by the Form response id; the first new one wakes the workflow.
 * Answers are stored for grading and never logged.
 */

export type FormSubmissionRow = typeof formSubmissions.$inferSelect;

export class SubmissionRejectedError extends Error {
  constructor(
    readonly status: 403 | 404,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function recordFormSubmission(
  database: Database,
  submission: FormSubmission,
  submitter: { ownerEmail: string } | { workflowId: string },
): Promise<{ workflowId: string; duplicate: boolean }> {
  const [workflow] = await database.db
    .select({ id: workflows.id, ownerEmail: workflows.ownerEmail })
    .from(workflows)
    .where(eq(workflows.formId, submission.formId));
  if (!workflow) throw new SubmissionRejectedError(404, 'unknown_form', 'no workflow is waiting for this form');
  if ('ownerEmail' in submitter && workflow.ownerEmail !== submitter.ownerEmail) {
    throw new SubmissionRejectedError(403, 'forbidden', 'this form belongs to another instructor');
  }
  if ('workflowId' in submitter && workflow.id !== submitter.workflowId) {
    throw new SubmissionRejectedError(403, 'forbidden', 'this response belongs to another workflow');
  }
  // Recorded and woken in one statement (NOTIFY at commit); a duplicate response id does neither.
  const inserted = await rows<{ response_id: string }>(
    database.db,
    sql`with s as (
          insert into form_submissions (response_id, workflow_id, form_id, payload)
          values (${submission.responseId}, ${workflow.id}, ${submission.formId}, ${JSON.stringify(submission)}::jsonb)
          on conflict do nothing
          returning response_id, workflow_id
        ), ${wakeWorkflowsCte({ from: sql`s`, idColumn: sql`s.workflow_id` })}
        select s.response_id, (select count(*) from n) as notified from s`,
  ).then((r) => r.length > 0);
  return { workflowId: workflow.id, duplicate: !inserted };
}

/** The first submission of a workflow's form (the one that is graded). */
export async function firstSubmission(database: Database, workflowId: string): Promise<FormSubmissionRow | undefined> {
  const [row] = await database.db
    .select()
    .from(formSubmissions)
    .where(eq(formSubmissions.workflowId, workflowId))
    .orderBy(asc(formSubmissions.receivedAt), asc(sql`${formSubmissions.responseId}`))
    .limit(1);
  return row;
}

export async function submissionByResponseId(database: Database, responseId: string): Promise<FormSubmissionRow | undefined> {
  const [row] = await database.db.select().from(formSubmissions).where(eq(formSubmissions.responseId, responseId));
  return row;
}
