import { asc, eq, sql } from 'drizzle-orm';
import type { FormSubmission } from '../../shared/contracts/commands';
import type { Database } from '../db/client';
import { formSubmissions, workflows } from '../db/schema';
import { wakeWorkflow } from '../db/repositories/workflow-repository';
import { WAKE_CHANNEL } from '../workflow/wake-channel';

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
  const inserted = await database.db.transaction(async (tx) => {
    const rows = await tx
      .insert(formSubmissions)
      .values({ responseId: submission.responseId, workflowId: workflow.id, formId: submission.formId, payload: submission })
      .onConflictDoNothing()
      .returning({ responseId: formSubmissions.responseId });
    if (rows.length > 0) await wakeWorkflow(tx, workflow.id);
    return rows.length > 0;
  });
  if (inserted) await database.notify(WAKE_CHANNEL.workflows, workflow.id);
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
