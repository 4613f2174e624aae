/**
 * The add-on end to end: the real bundle in the Workspace emulator, the real backend in a child
 * process, the PresGen simulators in another. From the sidebar's start to COMPLETED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEP_STATUSES } from '../../shared/workflow-status';
import type { WorkflowView } from '../../shared/contracts/api';
import { startAddonStack, type AddonStack } from '../../scripts/demo/addon-stack';
import { atStatus, pumpUntil } from '../../scripts/demo/drive-workflow';
import type { TriggerRunResult, WorkspaceEmulator } from '../workspace-emulator';
import { countCalls, driveItemsNamed, learnerSubmits, START_FORM, tabNames, tabValues } from './support/emulator-helpers';
import { startPresgenProcess, type PresgenProcess } from './support/presgen-process';
import { pumpStats } from './support/pump-stats';

const LEARNERS = ['ada@learners.example', 'grace@learners.example', 'alan@learners.example'];
const COURSES = 3;
const FORM_MIME = 'application/vnd.google-apps.form';
const SHEET_MIME = 'application/vnd.google-apps.spreadsheet';
const FOLDER_MIME = 'application/vnd.google-apps.folder';

let presgen: PresgenProcess;
let stack: AddonStack;
let emulator: WorkspaceEmulator;
const workflows: WorkflowView[] = [];

beforeAll(async () => {
  // PresGen jobs take long enough that the post-submission pump goes idle before decks exist,
  // so the hourly trigger has to finish the job, as in production.
  presgen = await startPresgenProcess(1_500);
  stack = await startAddonStack({
    backendEnv: { PRESGEN_CORE_URL: presgen.coreUrl, PRESGEN_AVATAR_URL: presgen.avatarUrl, PRESGEN_POLL_MS: '50' },
  });
  emulator = stack.newEmulator({ scriptProperties: { PRESGEN_PUMP_IDLE_STOP_MS: '60000' } });
});

afterAll(async () => {
  await stack?.close();
  await presgen?.close();
});

const deadline = (ms: number) => Date.now() + ms;
const pumpNow = () => emulator.run('pumpNow');
const hourlyRuns: TriggerRunResult[] = [];
const hourly = () => hourlyRuns.push(...emulator.fireTimeDrivenTriggers());

describe('from the sidebar to COMPLETED', () => {
  it('starts three workflows from the sidebar; the document gets exactly one onFormSubmit trigger', () => {
    emulator.openDocument();
    emulator.run('showSidebar');
    expect(emulator.lastSidebar()?.html).toContain('id="start-button"');
    for (const [i, learnerEmail] of LEARNERS.entries()) {
      const view = emulator.run('startAssessment', { ...START_FORM, courseCount: i === 0 ? COURSES : 1, learnerEmail, requestId: `e2e-${i}` }) as WorkflowView;
      expect(view).toMatchObject({ status: 'REQUESTED', learnerEmail });
      workflows.push(view);
    }
    const formSubmit = emulator.state.triggers.filter((t) => t.eventType === 'ON_FORM_SUBMIT');
    expect(formSubmit).toHaveLength(1);
    expect(formSubmit[0]).toMatchObject({ handlerFunction: 'onFormSubmitDispatcher', triggerSourceId: emulator.activeSpreadsheetId });
    expect(emulator.state.triggers.filter((t) => t.eventType === 'CLOCK')).toHaveLength(1);
  });

  it('step 3: the sidebar pump creates one folder, one published form and one results sheet per workflow', async () => {
    for (const wf of workflows) {
      await pumpUntil({ api: stack.api, workflowId: wf.id, pump: pumpNow, reached: atStatus('AWAITING_COMPLETION'), what: 'AWAITING_COMPLETION', deadline: deadline(30_000) });
    }
    expect(emulator.state.forms.size).toBe(LEARNERS.length);
    for (const wf of workflows) {
      const detail = await stack.api.getWorkflow(wf.id);
      const shortId = wf.id.slice(0, 8);
      const assets = detail.outputs.CREATING_GOOGLE_RESOURCES as { formId: string; folderId: string; resultsSpreadsheetId: string };
      expect(driveItemsNamed(emulator, new RegExp(`\\(${shortId}\\)$`), FOLDER_MIME).map((f) => f.id)).toEqual([assets.folderId]);
      expect(driveItemsNamed(emulator, new RegExp(`^Results .*\\(${shortId}\\)$`), SHEET_MIME).map((f) => f.id)).toEqual([assets.resultsSpreadsheetId]);
      const form = emulator.state.forms.get(assets.formId)!;
      expect(form).toMatchObject({ published: true, isQuiz: true, collectEmail: true, destinationId: emulator.activeSpreadsheetId });
      expect(emulator.state.driveItems.get(assets.formId)).toMatchObject({ mimeType: FORM_MIME, parents: [assets.folderId] });
      expect(detail.links.formResponderUrl).toContain(form.publishedId);
    }
    // Three forms, one trigger: every response tab lives in the add-on's spreadsheet.
    expect(emulator.state.triggers.filter((t) => t.eventType === 'ON_FORM_SUBMIT')).toHaveLength(1);
    const responseTabs = emulator.state.spreadsheets.get(emulator.activeSpreadsheetId)!.sheets.filter((s) => s.formId);
    expect(responseTabs).toHaveLength(LEARNERS.length);
  });

  it("the learner's submission fires the trigger, which posts it and keeps pumping: steps 6–8 land at once, one setValues per tab", async () => {
    const wf = workflows[0];
    const { formId, resultsSpreadsheetId } = (await stack.api.getWorkflow(wf.id)).outputs.CREATING_GOOGLE_RESOURCES as { formId: string; resultsSpreadsheetId: string };
    emulator.resetCallCounts();

    const runs = learnerSubmits(emulator, formId, 'medium', LEARNERS[0]);
    expect(runs).toEqual([expect.objectContaining({ handlerFunction: 'onFormSubmitDispatcher', ok: true })]);

    const detail = await stack.api.getWorkflow(wf.id);
    expect(STEP_STATUSES.indexOf(detail.status as never)).toBeGreaterThan(STEP_STATUSES.indexOf('GENERATING_COURSE_OUTLINES'));
    const outlineTabs = Array.from({ length: COURSES }, (_, i) => `Course_Outline_${i + 1}`);
    expect(tabNames(emulator, resultsSpreadsheetId)).toEqual(expect.arrayContaining(['Gap_Analysis', 'Training_Plan', ...outlineTabs]));
    expect(tabValues(emulator, resultsSpreadsheetId, 'Gap_Analysis')!.length).toBeGreaterThan(1);
    // Each tab in one batched write, never cell by cell.
    expect(countCalls(emulator, 'Range.setValues')).toBe(2 + COURSES);
    expect(countCalls(emulator, 'Range.setValue')).toBe(0);
  });

  it('the hourly trigger drains the rest until COMPLETED: Deliverables tab, decks and videos, one PresGen job per course', async () => {
    const wf = workflows[0];
    const done = await pumpUntil({ api: stack.api, workflowId: wf.id, pump: hourly, reached: atStatus('COMPLETED'), what: 'COMPLETED', deadline: deadline(45_000), pauseMs: 200 });

    // The hourly safety net ran as the instructor and did the remaining Workspace work.
    expect(hourlyRuns.length).toBeGreaterThan(0);
    expect(hourlyRuns.every((r) => r.ok && r.handlerFunction === 'pumpCommands')).toBe(true);
    expect(hourlyRuns.reduce((n, r) => n + pumpStats(r.result).succeeded, 0)).toBeGreaterThanOrEqual(1);
    expect(done.links.presentations).toHaveLength(COURSES);
    expect(done.links.videos).toHaveLength(COURSES);
    for (const step of STEP_STATUSES) expect(done.steps.filter((s) => s.step === step && s.outcome === 'succeeded'), step).toHaveLength(1);

    const { resultsSpreadsheetId } = done.outputs.CREATING_GOOGLE_RESOURCES as { resultsSpreadsheetId: string };
    const deliverables = tabValues(emulator, resultsSpreadsheetId, 'Deliverables')!;
    const deckUrls = done.links.presentations.map((p) => p.url);
    expect(deliverables.flat()).toEqual(expect.arrayContaining(deckUrls));
    // Gap, plan, outlines, Deliverables: one setValues each since the submission.
    expect(countCalls(emulator, 'Range.setValues')).toBe(2 + COURSES + 1);
    expect(emulator.state.forms.size).toBe(LEARNERS.length);

    const mine = (stats: { jobsByIdempotencyKey: Record<string, { jobsCreated: number }> }) =>
      Object.entries(stats.jobsByIdempotencyKey).filter(([key]) => key.startsWith(wf.id)).map(([, v]) => v.jobsCreated);
    expect(mine(await presgen.coreStats())).toEqual(Array(COURSES).fill(1));
    expect(mine(await presgen.avatarStats())).toEqual(Array(COURSES).fill(1));

    // The others still wait for their learners, on the same single trigger.
    for (const other of workflows.slice(1)) expect((await stack.api.getWorkflow(other.id)).status).toBe('AWAITING_COMPLETION');
    expect(emulator.state.executions.filter((e) => e.functionName === 'onFormSubmitDispatcher')).toHaveLength(1);
  });
});
