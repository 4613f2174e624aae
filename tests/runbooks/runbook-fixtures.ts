import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { CreateWorkflowRequest } from '../../shared/contracts/api';
import type { StepStatus } from '../../shared/workflow-status';
import type { Database } from '../../backend/db/client';
import { createWorkflow, updateWorkflowStatus } from '../../backend/db/repositories/workflow-repository';
import { fanoutItems, notificationOutbox, quotaReports, workflows, workspaceCommands } from '../../backend/db/schema';
import { fanoutKey } from '../../backend/workflow/fanout/fanout-store';

/**
 * Workflows in the states the runbook talks about, written through the repository (legal
 * transitions, audited) plus the rows around them, so every runbook command has something real
 * to look at and to act on.
 */

export const FIXTURE_OWNER = 'instructor@example.edu';
const LEARNER = 'learner@example.edu';
const SPREADSHEET = 'sheet-runbook-fixture';

function request(requestId: string): CreateWorkflowRequest {
  return {
    certificationId: 'aws-saa-c03',
    learnerEmail: LEARNER,
    courseCount: 2,
    slidesPerCourse: 3,
    avatarVideos: true,
    shareWithLearner: true,
    spreadsheetId: SPREADSHEET,
    requestId,
  };
}

function assetsOutput(tag: string) {
  return {
    folderId: `folder-${tag}`,
    folderUrl: `https://drive.google.com/drive/folders/folder-${tag}`,
    formId: `form-${tag}`,
    formUrl: `https://docs.google.com/forms/d/form-${tag}/edit`,
    formResponderUrl: `https://docs.google.com/forms/d/e/form-${tag}/viewform`,
    formPublished: true as const,
    resultsSpreadsheetId: `results-${tag}`,
    resultsSpreadsheetUrl: `https://docs.google.com/spreadsheets/d/results-${tag}/edit`,
    itemQuestionIds: {},
    completionDeadline: new Date(Date.now() + 72 * 3_600_000).toISOString(),
  };
}

const COURSES = [1, 2].map((index) => ({
  index,
  title: `Course ${index}: Designing resilient architectures`,
  domainIds: ['resilient-architectures'],
  slides: [1, 2, 3].map((n) => ({ title: `Slide ${n}`, bullets: ['point'], speakerNotes: `Notes for slide ${n}` })),
}));

/**
 * A workflow stopped in NEEDS_ATTENTION at step 10: both decks done, course 1's video done,
 * course 2's video job failed at PresGen Avatar.
 */
export async function seedAttentionWorkflow(database: Database): Promise<string> {
  return database.db.transaction(async (tx) => {
    const { workflow } = await createWorkflow(tx, { ownerEmail: FIXTURE_OWNER, ownerSub: '1000', request: request(randomUUID()) });
    const tag = workflow.id.slice(0, 8);
    const decks = COURSES.map((c) => ({
      course: c.index,
      title: c.title,
      url: `https://presgen.example/decks/${tag}-${c.index}`,
      jobId: `core-${tag}-${c.index}`,
    }));
    const lastError = 'presgen_avatar job for course 2 failed: presgen_avatar job failed: render_failed';
    await updateWorkflowStatus(tx, {
      id: workflow.id,
      expectedVersion: workflow.version,
      to: 'NEEDS_ATTENTION',
      actor: 'runbook-fixture',
      details: { reason: 'job_failed', error: lastError },
      patch: {
        failedStep: 'GENERATING_AVATAR_VIDEOS',
        lastError,
        attempt: 6,
        runAfter: null,
        outputs: {
          CREATING_GOOGLE_RESOURCES: assetsOutput(tag),
          GENERATING_COURSE_OUTLINES: {
            courses: COURSES,
            tabs: COURSES.map((c) => ({
              spreadsheetId: `results-${tag}`,
              tabName: `Course_Outline_${c.index}`,
              rowCount: 4,
              columnCount: 3,
            })),
          },
          GENERATING_PRESENTATIONS: { presentations: decks },
        },
      },
    });
    type ItemExtra = Omit<Partial<typeof fanoutItems.$inferInsert>, 'input'> & { input: unknown };
    const item = (step: StepStatus, service: string, index: number, status: string, extra: ItemExtra): typeof fanoutItems.$inferInsert => ({
      id: randomUUID(),
      workflowId: workflow.id,
      step,
      service,
      itemIndex: index,
      status,
      idempotencyKey: fanoutKey(workflow.id, step, index),
      attempt: 1,
      finishedAt: new Date(),
      ...extra,
    });
    await tx.insert(fanoutItems).values([
      ...decks.map((d) =>
        item('GENERATING_PRESENTATIONS', 'presgen_core', d.course, 'succeeded', {
          input: { request: { title: d.title, slides: COURSES[d.course - 1].slides } },
          externalJobId: d.jobId,
          result: { url: d.url, slideCount: 3 },
        }),
      ),
      ...decks.map((d) =>
        item('GENERATING_AVATAR_VIDEOS', 'presgen_avatar', d.course, d.course === 1 ? 'succeeded' : 'failed', {
          input: { request: { title: d.title, presentationUrl: d.url, script: ['Notes for slide 1'] } },
          externalJobId: `avatar-${tag}-${d.course}`,
          result: d.course === 1 ? { url: `https://presgen.example/videos/${tag}-1`, durationSeconds: 60 } : null,
          lastError: d.course === 1 ? null : 'presgen_avatar job failed: render_failed',
          attempt: d.course === 1 ? 1 : 6,
        }),
      ),
    ]);
    return workflow.id;
  });
}

/**
 * A poison workflow: retried twice by an operator, and PresGen refuses the re-armed video for
 * good each time (`refuseNextVideo` makes the simulator answer the next submit with a 400), so
 * the step fails again each time (FAILED, with compensation).
 */
export async function seedPoisonWorkflow(
  database: Database,
  retry: (id: string) => Promise<unknown>,
  waitForStatus: (id: string, status: string) => Promise<unknown>,
  refuseNextVideo: () => void,
): Promise<string> {
  const id = await seedAttentionWorkflow(database);
  for (let i = 0; i < 2; i++) {
    refuseNextVideo();
    await retry(id);
    await waitForStatus(id, 'FAILED');
  }
  return id;
}

/** The rest of a busy system: a learner who has not answered yet, an unpumped command, quota, notifications. */
export async function seedBackground(database: Database): Promise<{ awaitingId: string }> {
  return database.db.transaction(async (tx) => {
    const { workflow } = await createWorkflow(tx, { ownerEmail: FIXTURE_OWNER, ownerSub: '1000', request: request('awaiting') });
    let version = workflow.version;
    for (const to of ['GENERATING_ASSESSMENT', 'CREATING_GOOGLE_RESOURCES', 'AWAITING_COMPLETION'] as const) {
      version = (await updateWorkflowStatus(tx, { id: workflow.id, expectedVersion: version, to, actor: 'runbook-fixture' })).version;
    }
    const assets = assetsOutput('awaiting');
    await tx
      .update(workflows)
      .set({ formId: assets.formId, runAfter: new Date(assets.completionDeadline), outputs: { CREATING_GOOGLE_RESOURCES: assets } })
      .where(eq(workflows.id, workflow.id));
    await tx.insert(workspaceCommands).values({
      id: randomUUID(),
      workflowId: workflow.id,
      ownerEmail: FIXTURE_OWNER,
      spreadsheetId: SPREADSHEET,
      step: 'AWAITING_COMPLETION',
      type: 'read_responses',
      payload: { spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${SPREADSHEET}/edit`, formId: assets.formId },
      idempotencyKey: `${workflow.id}:AWAITING_COMPLETION:resume:fixture`,
      createdAt: sql`now() - interval '2 hours'` as unknown as Date,
    });
    await tx.insert(quotaReports).values({
      ownerEmail: FIXTURE_OWNER,
      day: new Date().toISOString().slice(0, 10),
      usage: { FormApp: 210, DriveApp: 40, UrlFetchApp: 900 },
    });
    await tx.insert(notificationOutbox).values({
      id: randomUUID(),
      dedupeKey: `wf:${workflow.id}:fixture`,
      workflowId: workflow.id,
      channel: 'slack',
      kind: 'needs_attention',
      recipient: 'slack',
      subject: 'fixture',
      body: 'fixture',
      status: 'failed',
      attempts: 8,
      lastError: 'slack webhook answered 404 no_service',
    });
    return { awaitingId: workflow.id };
  });
}
