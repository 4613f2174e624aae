import type { DeliverableLinks, StepRunView, WorkflowDetail, WorkflowPage, WorkflowView } from '../../shared/contracts/api';
import type { StepStatus, WorkflowStatus } from '../../shared/workflow-status';
import type { Executor } from '../db/client';
import {
  InvalidCursorError,
  listWorkflows,
  type ListWorkflowsInput,
  type StepRunRow,
  type WorkflowRow,
} from '../db/repositories/workflow-repository';
import { ApiError } from './api-error';

/** API views of workflow rows: what instructors and operators see (no answers, no answer key). */

type Outputs = Record<string, Record<string, unknown> | undefined>;

export function linksOf(wf: WorkflowRow): DeliverableLinks {
  const o = wf.outputs as Outputs;
  const assets = o.CREATING_GOOGLE_RESOURCES as
    Partial<Record<'folderUrl' | 'formUrl' | 'formResponderUrl' | 'resultsSpreadsheetUrl', string>> | undefined;
  const decks = (o.GENERATING_PRESENTATIONS?.presentations ?? []) as DeliverableLinks['presentations'];
  const videos = (o.GENERATING_AVATAR_VIDEOS?.videos ?? []) as DeliverableLinks['videos'];
  return {
    folderUrl: assets?.folderUrl,
    formUrl: assets?.formUrl,
    formResponderUrl: assets?.formResponderUrl,
    resultsSpreadsheetUrl: assets?.resultsSpreadsheetUrl,
    presentations: decks.map(({ course, title, url }) => ({ course, title, url })),
    videos: videos.map(({ course, title, url }) => ({ course, title, url })),
  };
}

export function toWorkflowView(wf: WorkflowRow): WorkflowView {
  const request = wf.request as {
    learnerEmail: string;
    certificationId: string;
    courseCount: number;
    slidesPerCourse: number;
    avatarVideos: boolean;
  };
  return {
    id: wf.id,
    status: wf.status as WorkflowStatus,
    failedStep: (wf.failedStep as StepStatus | null) ?? null,
    ownerEmail: wf.ownerEmail,
    learnerEmail: request.learnerEmail,
    certificationId: request.certificationId,
    courseCount: request.courseCount,
    slidesPerCourse: request.slidesPerCourse,
    avatarVideos: request.avatarVideos,
    version: wf.version,
    lastError: wf.lastError,
    createdAt: wf.createdAt.toISOString(),
    updatedAt: wf.updatedAt.toISOString(),
    links: linksOf(wf),
  };
}

export function toStepRunView(run: StepRunRow): StepRunView {
  return {
    step: run.step as StepStatus,
    attempt: run.attempt,
    outcome: run.outcome as StepRunView['outcome'],
    errorCategory: (run.errorCategory as StepRunView['errorCategory']) ?? null,
    error: run.error,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationMs: run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
  };
}

/** Outputs minus what must not leave the backend: the answer key stays server-side. */
function publicOutputs(wf: WorkflowRow): Record<string, unknown> {
  const outputs = { ...(wf.outputs as Outputs) };
  const assessment = outputs.GENERATING_ASSESSMENT;
  if (assessment) {
    outputs.GENERATING_ASSESSMENT = {
      certificationId: assessment.certificationId,
      title: assessment.title,
      questionCount: (assessment.questions as unknown[] | undefined)?.length ?? 0,
    };
  }
  return outputs;
}

export function toWorkflowDetail(wf: WorkflowRow, runs: StepRunRow[]): WorkflowDetail {
  return { ...toWorkflowView(wf), steps: runs.map(toStepRunView), outputs: publicOutputs(wf) };
}

/** A page of workflow views; a cursor that does not decode is the caller's 400. */
export async function workflowPage(db: Executor, input: ListWorkflowsInput): Promise<WorkflowPage> {
  try {
    const page = await listWorkflows(db, input);
    return { items: page.items.map(toWorkflowView), nextCursor: page.nextCursor };
  } catch (err) {
    if (err instanceof InvalidCursorError) throw new ApiError(400, 'validation_failed', 'query.cursor: not a valid cursor');
    throw err;
  }
}
