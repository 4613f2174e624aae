/**
 * The add-on under Google rules the emulator enforces because real Google does: test deployments
 * without installable triggers, the 20-triggers-per-user budget across spreadsheets, a domain policy
 * that refuses sharing outside the domain. The real bundle, the real backend in a child process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowView } from '../../shared/contracts/api';
import { startAddonStack, type AddonStack } from '../../scripts/demo/addon-stack';
import { atStatus, pumpUntil } from '../../scripts/demo/drive-workflow';
import { MAX_TRIGGERS_PER_USER, SHARING_POLICY_ERROR, type EmulatedTrigger, type WorkspaceEmulator } from '../workspace-emulator';
import { learnerSubmits, START_FORM, tabNames } from './support/emulator-helpers';

let stack: AddonStack;

beforeAll(async () => {
  // A shared, busy machine can take long to start a backend under tsx.
  stack = await startAddonStack({ backendEnv: { SIMULATOR_JOB_MS: '50', PRESGEN_POLL_MS: '50' }, startTimeoutMs: 110_000 });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

let requestCounter = 0;
type Started = WorkflowView & { notice?: string };
const start = (emulator: WorkspaceEmulator, learnerEmail: string): Started =>
  emulator.run('startAssessment', { ...START_FORM, courseCount: 1, learnerEmail, requestId: `platform-${++requestCounter}` }) as Started;
const sidebarPumpUntil = (emulator: WorkspaceEmulator, id: string, status: string, ms = 45_000) =>
  pumpUntil({
    api: stack.api,
    workflowId: id,
    pump: () => emulator.run('pumpNow'),
    reached: atStatus(status),
    what: status,
    deadline: Date.now() + ms,
  });
const assetsOf = async (id: string) =>
  (await stack.api.getWorkflow(id)).outputs.CREATING_GOOGLE_RESOURCES as { formId: string; resultsSpreadsheetId: string };
const formSubmitTriggers = (emulator: WorkspaceEmulator) => emulator.state.triggers.filter((t) => t.eventType === 'ON_FORM_SUBMIT');

describe('a test deployment (no installable triggers)', { timeout: 120_000 }, () => {
  it('starts the assessment anyway and says how to proceed; the instructor finishes it from the sidebar alone', async () => {
    const emulator = stack.newEmulator({ deployment: 'test' });
    emulator.openDocument();
    emulator.run('showSidebar');
    const wf = start(emulator, 'tess@learners.example');
    expect(wf.status).toBe('REQUESTED');
    expect(wf.notice).toMatch(/Check for responses/);
    expect(emulator.state.triggers).toHaveLength(0);

    await sidebarPumpUntil(emulator, wf.id, 'AWAITING_COMPLETION');
    const { formId, resultsSpreadsheetId } = await assetsOf(wf.id);
    expect(learnerSubmits(emulator, formId, 'medium', 'tess@learners.example')).toEqual([]); // no trigger fires
    expect((await stack.api.getWorkflow(wf.id)).status).toBe('AWAITING_COMPLETION');

    const checked = emulator.run('checkForResponses') as { posted: number };
    expect(checked.posted).toBe(1);
    expect((emulator.run('checkForResponses') as { posted: number }).posted).toBe(0); // posted once only
    const done = await sidebarPumpUntil(emulator, wf.id, 'COMPLETED');
    expect(done.links.presentations).toHaveLength(1);
    expect(tabNames(emulator, resultsSpreadsheetId)).toEqual(expect.arrayContaining(['Gap_Analysis', 'Training_Plan', 'Deliverables']));
    // The Gap_Analysis tab carries its chart: score per domain (column) against the pass mark (line).
    const gap = emulator.state.spreadsheets.get(resultsSpreadsheetId)!.sheets.find((s) => s.name === 'Gap_Analysis')!;
    expect(gap.charts).toEqual([
      expect.objectContaining({ type: 'COMBO', options: expect.objectContaining({ series: { 1: { type: 'line' } } }) }),
    ]);
    expect(gap.charts[0].ranges).toHaveLength(3);
    expect(gap.charts[0].ranges[0]).toMatch(/^Gap_Analysis!A3:A\d+$/);

    // Once the sidebar sees it finished, nothing about it stays in the user's properties.
    const userProps = () => [...emulator.state.properties.user.get(stack.instructor.email)!.keys()];
    expect(userProps().some((k) => k.startsWith('form:'))).toBe(true);
    emulator.run('listMyWorkflows');
    expect(
      userProps().filter(
        (k) =>
          k.startsWith('form:') || (k.startsWith('sheets:') && emulator.state.properties.user.get(stack.instructor.email)!.get(k) !== '{}'),
      ),
    ).toEqual([]);
  });
});

describe('the trigger budget (20 per user, across spreadsheets)', { timeout: 120_000 }, () => {
  it('opening the sidebar installs nothing; starting installs one form-submit trigger there; finishing removes it', async () => {
    const emulator = stack.newEmulator();
    const home = emulator.activeSpreadsheetId;
    for (let i = 0; i < MAX_TRIGGERS_PER_USER + 5; i++) {
      emulator.setActiveSpreadsheet(emulator.createSpreadsheet(`Class ${i}`));
      emulator.openDocument();
      emulator.run('showSidebar');
    }
    expect(emulator.state.triggers).toHaveLength(0);

    emulator.setActiveSpreadsheet(home);
    const wf = start(emulator, 'budget@learners.example');
    expect(wf.notice).toBeUndefined();
    expect(formSubmitTriggers(emulator).map((t) => t.triggerSourceId)).toEqual([home]);
    expect(emulator.state.triggers.filter((t) => t.eventType === 'CLOCK')).toHaveLength(1);

    emulator.run('cancelWorkflow', wf.id);
    emulator.run('listMyWorkflows'); // the sidebar's refresh sees it finished
    expect(emulator.state.triggers).toEqual([]);
  });

  it('triggers an older version left in idle spreadsheets are freed when the cap is hit, and the start succeeds', async () => {
    const emulator = stack.newEmulator();
    const home = emulator.activeSpreadsheetId;
    for (let i = 0; i < MAX_TRIGGERS_PER_USER; i++)
      emulator.state.triggers.push(legacyTrigger(emulator.createSpreadsheet(`Old ${i}`), stack.instructor.email, i));
    const wf = start(emulator, 'cap@learners.example');
    expect(wf.notice).toBeUndefined();
    expect(formSubmitTriggers(emulator).map((t) => t.triggerSourceId)).toEqual([home]);
  });

  it('when the cap is really full, the assessment starts and the instructor is told plainly', async () => {
    const emulator = stack.newEmulator();
    // Triggers of another feature of this script that the add-on must not touch.
    for (let i = 0; i < MAX_TRIGGERS_PER_USER; i++) {
      emulator.state.triggers.push({
        ...legacyTrigger(emulator.createSpreadsheet(`Other ${i}`), stack.instructor.email, i),
        handlerFunction: 'someoneElsesHandler',
      });
    }
    const wf = start(emulator, 'full@learners.example');
    expect(wf.status).toBe('REQUESTED');
    expect(wf.notice).toMatch(/20 triggers/);
    expect(emulator.state.triggers).toHaveLength(MAX_TRIGGERS_PER_USER);
    await sidebarPumpUntil(emulator, wf.id, 'AWAITING_COMPLETION');
  });
});

describe('a Workspace domain that forbids sharing outside it', { timeout: 120_000 }, () => {
  it('the workflow completes; nothing is shared; the instructor is told what was not shared and why', async () => {
    // The instructor is in school.example; the learner is not.
    const emulator = stack.newEmulator({ sharingDomain: 'school.example' });
    const learner = 'outside@learners.example';
    const wf = start(emulator, learner);
    await sidebarPumpUntil(emulator, wf.id, 'AWAITING_COMPLETION');
    const { formId, resultsSpreadsheetId } = await assetsOf(wf.id);
    expect(learnerSubmits(emulator, formId, 'high', learner).every((r) => r.ok)).toBe(true);

    const done = await sidebarPumpUntil(emulator, wf.id, 'COMPLETED');
    expect(emulator.state.driveItems.get(resultsSpreadsheetId)?.viewers).toEqual([]);
    const finalOutput = done.outputs.FINALIZING as {
      sharedWithLearner: boolean;
      notShared: Array<{ fileId: string; email: string; reason: string }>;
    };
    expect(finalOutput.sharedWithLearner).toBe(false);
    // Drive's reason, with the address redacted as every logged or stored error text is.
    expect(finalOutput.notShared).toEqual([{ fileId: resultsSpreadsheetId, email: learner, reason: SHARING_POLICY_ERROR('[email]') }]);
    expect(done.steps.filter((s) => s.step === 'FINALIZING').map((s) => s.outcome)).not.toContain('failed');
  });
});

describe('a response that carries no email', { timeout: 120_000 }, () => {
  it('is posted and resumes the workflow (routed by form), and the form asks for verified emails', async () => {
    const emulator = stack.newEmulator();
    const wf = start(emulator, 'noemail@learners.example');
    await sidebarPumpUntil(emulator, wf.id, 'AWAITING_COMPLETION');
    const { formId } = await assetsOf(wf.id);
    expect(emulator.callCounts()['Form.setEmailCollectionType']).toBe(1);
    expect(learnerSubmits(emulator, formId, 'medium', '')).toEqual([expect.objectContaining({ ok: true })]);
    const detail = await stack.api.getWorkflow(wf.id);
    expect(detail.steps.some((s) => s.step === 'AWAITING_COMPLETION' && s.outcome === 'succeeded')).toBe(true);
    expect(detail.outputs.AWAITING_COMPLETION).toMatchObject({ respondentIsLearner: false });

    // The trigger stopped polling once its workflow had no Apps Script step ahead, instead of idling
    // two more minutes of the 90 min/day trigger runtime.
    const run = emulator.state.executions.findLast((x) => x.functionName === 'onFormSubmitDispatcher')!;
    expect(emulator.logs(run.id).join('\n')).toContain('pump_nothing_pending');
    expect(['ANALYZING_RESULTS', 'WRITING_GAP_ANALYSIS', 'GENERATING_TRAINING_PLAN', 'GENERATING_COURSE_OUTLINES']).not.toContain(
      detail.status,
    );
  });
});

describe('another form linked to the same spreadsheet', { timeout: 120_000 }, () => {
  it("is ignored by the dispatcher, which still pumps; our form's submission still resumes its workflow", async () => {
    const emulator = stack.newEmulator();
    const wf = start(emulator, 'shared-sheet@learners.example');
    await sidebarPumpUntil(emulator, wf.id, 'AWAITING_COMPLETION');
    const foreign = emulator.linkForeignForm(emulator.activeSpreadsheetId, 'colleague@elsewhere.example', ['Coffee?']);
    const runs = emulator.fireFormSubmit(foreign, { 'Coffee?': 'Yes' }, '');
    expect(runs).toEqual([expect.objectContaining({ ok: true })]);
    expect(emulator.logs().join('\n')).toContain('not_our_form');

    const { formId } = await assetsOf(wf.id);
    expect(learnerSubmits(emulator, formId, 'medium', 'shared-sheet@learners.example')).toEqual([expect.objectContaining({ ok: true })]);
    const detail = await stack.api.getWorkflow(wf.id);
    expect(detail.steps.some((s) => s.step === 'AWAITING_COMPLETION' && s.outcome === 'succeeded')).toBe(true);
  });
});

describe('consent', { timeout: 120_000 }, () => {
  const declared = () => stack.newEmulator().manifest.oauthScopes ?? [];

  it('without openid granted, every sidebar call says what to allow instead of failing with a 401', () => {
    const emulator = stack.newEmulator({ grantedScopes: declared().filter((s) => s !== 'openid') });
    expect(() => emulator.run('sidebarBootstrap')).toThrow(/cannot confirm who you are.*allow every requested permission/);
    expect(() => emulator.run('startAssessment', { ...START_FORM, learnerEmail: 'x@learners.example' })).toThrow(/openid/);
    expect(emulator.logs().join('\n')).not.toMatch(/Bearer null|401/);
  });

  it('after an update adds a scope, triggers stop cleanly and the sidebar asks the instructor to authorise again', async () => {
    const emulator = stack.newEmulator();
    const wf = start(emulator, 'reauth@learners.example');
    expect(emulator.state.triggers.length).toBe(2);
    // The new version declares a scope this user has not granted yet.
    emulator.setGrantedScopes(declared().filter((s) => !s.endsWith('/auth/forms')));
    expect(emulator.fireTimeDrivenTriggers()).toEqual([
      expect.objectContaining({ ok: true, result: { skipped: 'reauthorization_required' } }),
    ]);
    const boot = emulator.run('sidebarBootstrap') as { reauthorization?: string };
    expect(boot.reauthorization).toMatch(
      /needs new permissions: its automatic triggers have stopped since .* UTC\. Authorise it again at https:/,
    );

    emulator.setGrantedScopes(undefined); // the instructor authorised
    expect((emulator.run('sidebarBootstrap') as { reauthorization?: string }).reauthorization).toBeUndefined();
    emulator.run('cancelWorkflow', wf.id);
  });
});

function legacyTrigger(spreadsheetId: string, user: string, i: number): EmulatedTrigger {
  return {
    uid: `9000${i}`,
    handlerFunction: 'onFormSubmitDispatcher',
    eventType: 'ON_FORM_SUBMIT',
    triggerSource: 'SPREADSHEETS',
    triggerSourceId: spreadsheetId,
    user,
  };
}
