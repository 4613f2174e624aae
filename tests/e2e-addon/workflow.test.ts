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
import { startPresgenProcess, type PresgenProcess } from '../support/presgen-process';
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
  presgen = await startPresgenProcess(300);
  stack = await startAddonStack({
    backendEnv: {
      PRESGEN_CORE_URL: presgen.coreUrl,
      PRESGEN_AVATAR_URL: presgen.avatarUrl,
      PRESGEN_CORE_PROTOCOL: 'jobs',
      PRESGEN_AVATAR_PROTOCOL: 'jobs',
      PRESGEN_POLL_MS: '50',
    },
  });
  // After a submission the trigger keeps pumping for its whole window (240 s of simulated time,
  // a few real seconds), so steps 6–8 land within it even on a busy machine.
  emulator = stack.newEmulator({ scriptProperties: { PRESGEN_PUMP_AFTER_SUBMIT_MS: '240000', PRESGEN_PUMP_IDLE_STOP_MS: '240000' } });
}, 150_000);

afterAll(async () => {
  await stack?.close();
  await presgen?.close();
});

const deadline = (ms: number) => Date.now() + ms;
const pumpNow = () => emulator.run('pumpNow');
const hourlyRuns: TriggerRunResult[] = [];
const hourly = () => hourlyRuns.push(...emulator.fireTimeDrivenTriggers());

type Assets = { formId: string; folderId: string; resultsSpreadsheetId: string };
const assetsOf = async (id: string) => (await stack.api.getWorkflow(id)).outputs.CREATING_GOOGLE_RESOURCES as Assets;

function startFromSidebar(i: number, courseCount: number): WorkflowView {
  const learnerEmail = LEARNERS[i];
  const view = emulator.run('startAssessment', { ...START_FORM, courseCount, learnerEmail, requestId: `e2e-${i}` }) as WorkflowView;
  expect(view).toMatchObject({ status: 'REQUESTED', learnerEmail, courseCount });
  workflows.push(view);
  return view;
}

/** Exactly one folder, one published quiz form (responses to the add-on's sheet) and one results sheet for this workflow. */
async function expectOneSetOfAssets(wf: WorkflowView): Promise<void> {
  const detail = await stack.api.getWorkflow(wf.id);
  const shortId = wf.id.slice(0, 8);
  const assets = detail.outputs.CREATING_GOOGLE_RESOURCES as Assets;
  expect(driveItemsNamed(emulator, new RegExp(`\\(${shortId}\\)$`), FOLDER_MIME).map((f) => f.id)).toEqual([assets.folderId]);
  expect(driveItemsNamed(emulator, new RegExp(`^Results .*\\(${shortId}\\)$`), SHEET_MIME).map((f) => f.id)).toEqual([
    assets.resultsSpreadsheetId,
  ]);
  const forms = [...emulator.state.forms.values()].filter((f) => f.description.includes(shortId));
  expect(forms.map((f) => f.id)).toEqual([assets.formId]);
  expect(forms[0]).toMatchObject({ published: true, isQuiz: true, collectEmail: true, destinationId: emulator.activeSpreadsheetId });
  expect(emulator.state.driveItems.get(assets.formId)).toMatchObject({ mimeType: FORM_MIME, parents: [assets.folderId] });
  expect(detail.links.formResponderUrl).toContain(forms[0].publishedId);
}

const formSubmitTriggers = () => emulator.state.triggers.filter((t) => t.eventType === 'ON_FORM_SUBMIT');

describe('from the sidebar to COMPLETED', () => {
  it('step 3 from the sidebar: its pump creates one folder, one published form to the active sheet and one results sheet', async () => {
    emulator.openDocument();
    emulator.run('showSidebar');
    expect(emulator.lastSidebar()?.html).toContain('id="start-button"');
    const wf = startFromSidebar(0, COURSES);
    await pumpUntil({
      api: stack.api,
      workflowId: wf.id,
      pump: pumpNow,
      reached: atStatus('AWAITING_COMPLETION'),
      what: 'AWAITING_COMPLETION',
      deadline: deadline(30_000),
    });
    expect(emulator.state.forms.size).toBe(1);
    expect(countCalls(emulator, 'FormApp.create')).toBe(1);
    await expectOneSetOfAssets(wf);
  });

  it('three workflows, one onFormSubmit trigger on the document; the hourly trigger also runs step 3', async () => {
    const others = [startFromSidebar(1, 1), startFromSidebar(2, 1)];
    for (const wf of others) {
      await pumpUntil({
        api: stack.api,
        workflowId: wf.id,
        pump: hourly,
        reached: atStatus('AWAITING_COMPLETION'),
        what: 'AWAITING_COMPLETION',
        deadline: deadline(30_000),
      });
      await expectOneSetOfAssets(wf);
    }
    expect(hourlyRuns.every((r) => r.ok && r.handlerFunction === 'pumpCommands')).toBe(true);
    expect(hourlyRuns.reduce((n, r) => n + pumpStats(r.result).succeeded, 0)).toBe(2);
    expect(emulator.state.forms.size).toBe(LEARNERS.length);

    expect(formSubmitTriggers()).toHaveLength(1);
    expect(formSubmitTriggers()[0]).toMatchObject({
      handlerFunction: 'onFormSubmitDispatcher',
      triggerSource: 'SPREADSHEETS',
      triggerSourceId: emulator.activeSpreadsheetId,
    });
    expect(emulator.state.triggers.filter((t) => t.eventType === 'CLOCK')).toEqual([
      expect.objectContaining({ handlerFunction: 'pumpCommands', everyHours: 1 }),
    ]);
    // Every form's responses land in the add-on's spreadsheet: one response tab per form.
    const responseTabs = emulator.state.spreadsheets.get(emulator.activeSpreadsheetId)!.sheets.filter((s) => s.formId);
    expect(responseTabs.map((s) => s.formId).sort()).toEqual([...emulator.state.forms.keys()].sort());
  });

  it("the learner's submission fires the trigger, which posts it and keeps pumping: steps 6–8 land at once, one setValues per tab", async () => {
    const wf = workflows[0];
    const { formId, resultsSpreadsheetId } = await assetsOf(wf.id);
    emulator.resetCallCounts();

    const runs = learnerSubmits(emulator, formId, 'medium', LEARNERS[0]);
    expect(runs).toEqual([expect.objectContaining({ handlerFunction: 'onFormSubmitDispatcher', ok: true })]);

    const detail = await stack.api.getWorkflow(wf.id);
    expect(detail.steps.some((s) => s.step === 'AWAITING_COMPLETION' && s.outcome === 'succeeded')).toBe(true);
    const progress: string[] = [...STEP_STATUSES, 'COMPLETED'];
    expect(progress.indexOf(detail.status)).toBeGreaterThan(progress.indexOf('GENERATING_COURSE_OUTLINES'));
    const outlineTabs = Array.from({ length: COURSES }, (_, i) => `Course_Outline_${i + 1}`);
    const written = writtenTabs(resultsSpreadsheetId);
    expect(written).toEqual(expect.arrayContaining(['Gap_Analysis', 'Training_Plan', ...outlineTabs]));
    expect(tabValues(emulator, resultsSpreadsheetId, 'Gap_Analysis')!.length).toBeGreaterThan(1);
    // Each tab in one batched write, never cell by cell.
    expect(countCalls(emulator, 'Range.setValues')).toBe(written.length);
    expect(countCalls(emulator, 'Range.setValue')).toBe(0);
  });

  it('the sidebar and hourly pumps drain the rest until COMPLETED: Deliverables tab, decks and videos, one PresGen job per course', async () => {
    const wf = workflows[0];
    let round = 0;
    const sidebarOrHourly = () => (round++ % 2 === 0 ? pumpNow() : hourly());
    const done = await pumpUntil({
      api: stack.api,
      workflowId: wf.id,
      pump: sidebarOrHourly,
      reached: atStatus('COMPLETED'),
      what: 'COMPLETED',
      deadline: deadline(45_000),
      pauseMs: 200,
    });

    expect(done.links.presentations).toHaveLength(COURSES);
    expect(done.links.videos).toHaveLength(COURSES);
    for (const step of STEP_STATUSES)
      expect(
        done.steps.filter((s) => s.step === step && s.outcome === 'succeeded'),
        step,
      ).toHaveLength(1);

    const { resultsSpreadsheetId } = await assetsOf(wf.id);
    const deliverables = tabValues(emulator, resultsSpreadsheetId, 'Deliverables')!;
    expect(deliverables.flat()).toEqual(expect.arrayContaining([...done.links.presentations, ...done.links.videos].map((l) => l.url)));
    // Gap, plan, outlines, Deliverables since the submission: one setValues each.
    expect(writtenTabs(resultsSpreadsheetId)).toHaveLength(2 + COURSES + 1);
    expect(countCalls(emulator, 'Range.setValues')).toBe(2 + COURSES + 1);
    expect(emulator.state.forms.size).toBe(LEARNERS.length);
    expect(hourlyRuns.every((r) => r.ok)).toBe(true);

    const mine = (stats: { jobsByIdempotencyKey: Record<string, { jobsCreated: number }> }) =>
      Object.entries(stats.jobsByIdempotencyKey)
        .filter(([key]) => key.startsWith(wf.id))
        .map(([, v]) => v.jobsCreated);
    expect(mine(await presgen.coreStats())).toEqual(Array(COURSES).fill(1));
    expect(mine(await presgen.avatarStats())).toEqual(Array(COURSES).fill(1));

    // The others still wait for their learners, behind the same single trigger.
    for (const other of workflows.slice(1)) expect((await stack.api.getWorkflow(other.id)).status).toBe('AWAITING_COMPLETION');
    expect(formSubmitTriggers()).toHaveLength(1);
    expect(emulator.state.executions.filter((e) => e.functionName === 'onFormSubmitDispatcher')).toHaveLength(1);
  });
});

const RESULT_TABS = /^(Gap_Analysis|Training_Plan|Course_Outline_\d+|Deliverables)$/;
const writtenTabs = (spreadsheetId: string) => tabNames(emulator, spreadsheetId).filter((name) => RESULT_TABS.test(name));
