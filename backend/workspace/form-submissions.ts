import { asc, eq, sql } from 'drizzle-orm';
import type { FormSubmission } from '../../shared/contracts/commands';
import { rows, type Database } from '../db/client';
import { formSubmissions } from '../db/schema';
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
  const allowed = 'ownerEmail' in submitter ? sql`wf.owner_email = ${submitter.ownerEmail}` : sql`wf.id = ${submitter.workflowId}`;
  // Routed, checked, recorded and woken in one statement (NOTIFY at commit). A submitter the
  // form does not belong to, or a duplicate response id, writes nothing.
  const [found] = await rows<{ id: string; owner_email: string; inserted: string | number }>(
    database.db,
    sql`with wf as (
          select id, owner_email from workflows where form_id = ${submission.formId} limit 1
        ), s as (
          insert into form_submissions (response_id, workflow_id, form_id, payload)
          select ${submission.responseId}, wf.id, ${submission.formId}, ${JSON.stringify(submission)}::jsonb from wf where ${allowed}
          on conflict do nothing
          returning response_id, workflow_id
        ), ${wakeWorkflowsCte({ from: sql`s`, idColumn: sql`s.workflow_id` })}
        select wf.id, wf.owner_email, (select count(*) from s) as inserted, (select count(*) from n) as notified from wf`,
  );
  if (!found) throw new SubmissionRejectedError(404, 'unknown_form', 'no workflow is waiting for this form');
  if ('ownerEmail' in submitter && found.owner_email !== submitter.ownerEmail) {
    throw new SubmissionRejectedError(403, 'forbidden', 'this form belongs to another instructor');
  }
  if ('workflowId' in submitter && found.id !== submitter.workflowId) {
    throw new SubmissionRejectedError(403, 'forbidden', 'this response belongs to another workflow');
  }
  return { workflowId: found.id, duplicate: Number(found.inserted) === 0 };
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
