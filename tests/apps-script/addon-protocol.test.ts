/**
 * The built add-on in the Workspace emulator, against a stand-in of the backend's Apps Script
 * protocol (a real HTTP server in a child process). What the add-on itself guarantees: triggers,
 * command execution, idempotency, quota and 503 survival, one setValues per tab, submission
 * dispatch. The full workflow against the real backend is covered by the end-to-end suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppsScript } from '../../scripts/build-apps-script';
import { createWorkspaceEmulator, ScriptExecutionError, type EmulatorOptions, type WorkspaceEmulator } from '../workspace-emulator';

const FIXTURE = fileURLToPath(new URL('./fixtures/protocol-backend.mjs', import.meta.url));
const INSTRUCTOR = 'instructor@example.com';
const LEARNER = 'learner@example.com';
const ID_TOKEN = 'test-id-token';

interface BackendState {
  queue: unknown[];
  completions: Array<{ id: string; leaseToken: string; result?: any; error?: { message: string; retryable: boolean } }>;
  submissions: Array<{
    formId: string;
    responseId: string;
    respondentEmail: string;
    answers: Array<{ questionId: string; answer: string }>;
  }>;
  quotaReports: Array<{ day: string; usage: Record<string, number> }>;
  claims: Array<{ spreadsheetId?: string; max: number }>;
  workflows: Array<{ request: Record<string, unknown> }>;
  authHeaders: string[];
}

let backend: ChildProcess;
let backendUrl = '';
let bundleDir = '';

beforeAll(async () => {
  backend = spawn(process.execPath, [FIXTURE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    backend.once('error', reject);
    backend.stdout!.once('data', (line) => resolve(JSON.parse(String(line)).port));
  });
  backendUrl = `http://127.0.0.1:${port}`;
  bundleDir = await mkdtemp(join(tmpdir(), 'presgen-addon-'));
  await buildAppsScript({ backendUrl, outDir: bundleDir });
});

afterAll(async () => {
  backend?.kill('SIGTERM');
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

const control = async (path: string, body: unknown = {}) => {
  const res = await fetch(`${backendUrl}/_control/${path}`, { method: 'POST', body: JSON.stringify(body) });
  return res.json();
};
const backendState = () => control('state') as Promise<BackendState>;

function newEmulator(opts: Pick<EmulatorOptions, 'callLatencyMs' | 'dailyQuotas'> = {}): WorkspaceEmulator {
  const emulator = createWorkspaceEmulator({
    bundleDir,
    user: { email: INSTRUCTOR, sub: 'instructor-1' },
    identity: { audience: 'test-audience', signIdTokenSync: () => ID_TOKEN },
    ...opts,
  });
  // A short idle window keeps the post-submission pump quick; the default is two minutes.
  emulator.state.properties.script.set('PRESGEN_PUMP_IDLE_STOP_MS', '15000');
  return emulator;
}

let nextLease = 0;
const envelope = (id: string) => ({
  id,
  workflowId: 'wf-1',
  leaseToken: `lease-${++nextLease}`,
  leaseExpiresAt: new Date(Date.now() + 120_000).toISOString(),
  attempt: 1,
});

const QUIZ = [
  { questionId: 'q-net-1', title: 'Which protocol is connection-oriented?', choices: ['UDP', 'TCP', 'ICMP'], correctIndex: 1, points: 2 },
  { questionId: 'q-sec-1', title: 'Which cipher is symmetric?', choices: ['RSA', 'AES'], correctIndex: 1, points: 1 },
];

function createAssetsCommand(id: string, emulator: WorkspaceEmulator) {
  return {
    ...envelope(id),
    type: 'create_assessment_assets',
    payload: {
      workflowId: 'wf-1',
      folderName: `PresGen ${id}`,
      formTitle: `Assessment ${id}`,
      formDescription: 'Answer every question.',
      resultsSpreadsheetName: `Results ${id}`,
      destinationSpreadsheetId: emulator.activeSpreadsheetId,
      items: QUIZ,
      learnerEmail: LEARNER,
      shareWithLearner: true,
    },
  };
}

async function createAssets(emulator: WorkspaceEmulator, id: string) {
  await control('enqueue', [createAssetsCommand(id, emulator)]);
  emulator.run('pumpNow');
  const completion = (await backendState()).completions.find((c) => c.id === id);
  expect(completion?.result, JSON.stringify(completion)).toBeDefined();
  return completion!.result;
}

describe('triggers', () => {
  it('installs one form-submit trigger on the active spreadsheet and one hourly pump, however often asked', async () => {
    const emulator = newEmulator();
    emulator.openDocument();
    expect(emulator.callCounts()['UrlFetchApp.fetch'] ?? 0).toBe(0); // onOpen: menu only
    expect(emulator.state.triggers).toEqual([]);

    emulator.run('showSidebar');
    emulator.run('showSidebar');
    const form = {
      certificationId: 'aws-saa',
      learnerEmail: LEARNER,
      courseCount: 2,
      slidesPerCourse: 5,
      avatarVideos: true,
      shareWithLearner: true,
    };
    for (let i = 0; i < 3; i++) emulator.run('startAssessment', { ...form, requestId: `click-${i}` });

    const formSubmit = emulator.state.triggers.filter((t) => t.eventType === 'ON_FORM_SUBMIT');
    expect(formSubmit).toHaveLength(1);
    expect(formSubmit[0]).toMatchObject({ handlerFunction: 'onFormSubmitDispatcher', triggerSourceId: emulator.activeSpreadsheetId });
    const hourly = emulator.state.triggers.filter((t) => t.eventType === 'CLOCK');
    expect(hourly).toHaveLength(1);
    expect(hourly[0]).toMatchObject({ handlerFunction: 'pumpCommands', everyHours: 1 });

    const created = (await backendState()).workflows.slice(-3).map((w) => w.request);
    expect(created.map((r) => r.requestId)).toEqual(['click-0', 'click-1', 'click-2']);
    for (const request of created) expect(request.spreadsheetId).toBe(emulator.activeSpreadsheetId);
  });
});

describe('onOpen and onInstall in every authorization mode', () => {
  it('only build the menu: no properties, document, UrlFetch or identity, so AuthMode.NONE (not enabled in this document) works', async () => {
    const callsBefore = (await backendState()).authHeaders.length;
    const menu = [{ title: 'PresGen add-on menu', items: [{ caption: 'Open PresGen-Assess', functionName: 'showSidebar' }] }];
    for (const mode of ['NONE', 'LIMITED'] as const) {
      const emulator = newEmulator();
      emulator.openDocument(mode);
      expect(emulator.state.menus, `onOpen in ${mode}`).toEqual(menu);
    }
    for (const mode of ['NONE', 'LIMITED', 'FULL'] as const) {
      const emulator = newEmulator();
      emulator.installAddon(mode);
      expect(emulator.state.menus, `onInstall in ${mode}`).toEqual(menu);
      expect(emulator.state.executions.map((e) => [e.functionName, e.ok])).toEqual([['onInstall', true]]);
      expect(emulator.callCounts()).toEqual({ 'SpreadsheetApp.getUi': 1, 'Ui.createAddonMenu': 1, 'Menu.addItem': 1, 'Menu.addToUi': 1 });
    }
    expect((await backendState()).authHeaders).toHaveLength(callsBefore); // no call reached the backend
  });
});

describe('commands', () => {
  it('create_assessment_assets: one folder, one published quiz form to the active sheet, one results sheet; a re-delivery creates nothing', async () => {
    const emulator = newEmulator();
    emulator.injectQuotaError('FormApp.create', 1, 'short');
    const first = await createAssets(emulator, 'create-1');
    expect(emulator.callCounts()['FormApp.create']).toBe(2); // the quota error was retried

    // Re-delivered after a lost acknowledgement: same id, new lease.
    await control('enqueue', [createAssetsCommand('create-1', emulator)]);
    const stats = emulator.run('pumpNow') as { replayed: number; succeeded: number };
    expect(stats).toMatchObject({ replayed: 1, succeeded: 1 });
    const completions = (await backendState()).completions.filter((c) => c.id === 'create-1');
    expect(completions).toHaveLength(2);
    expect(completions[1].result).toEqual(first);

    expect(emulator.state.forms.size).toBe(1);
    const form = emulator.state.forms.get(first.formId)!;
    expect(form).toMatchObject({ published: true, isQuiz: true, collectEmail: true, destinationId: emulator.activeSpreadsheetId });
    expect(form.items.map((i) => [i.title, i.points, i.required, i.choices.find((c) => c.isCorrect)?.value])).toEqual([
      [QUIZ[0].title, 2, true, 'TCP'],
      [QUIZ[1].title, 1, true, 'AES'],
    ]);
    expect(Object.entries(first.itemQuestionIds)).toEqual(form.items.map((item, i) => [String(item.id), QUIZ[i].questionId]));

    const folders = [...emulator.state.driveItems.values()].filter((d) => d.name === 'PresGen create-1');
    expect(folders).toHaveLength(1);
    // Step 3 shares nothing, whatever the legacy shareWithLearner says: sharing is step 11's best-effort set_sharing.
    expect(folders[0].viewers).toEqual([]);
    expect(emulator.state.driveItems.get(first.formId)?.parents).toEqual([first.folderId]);
    expect(emulator.state.driveItems.get(first.resultsSpreadsheetId)?.parents).toEqual([first.folderId]);
    expect([...emulator.state.driveItems.values()].filter((d) => d.name === 'Results create-1')).toHaveLength(1);
  });

  it('create_assessment_assets resumes after failing half way instead of creating a second folder and form', async () => {
    const emulator = newEmulator();
    // The results sheet cannot be created today: the first run fails after the folder and form exist.
    emulator.injectQuotaError('SpreadsheetApp.create', 4, 'daily');
    await control('enqueue', [createAssetsCommand('create-5', emulator)]);
    emulator.run('pumpNow');
    const failed = (await backendState()).completions.find((c) => c.id === 'create-5');
    expect(failed?.error).toEqual({ retryable: true, message: expect.stringContaining('quota') });
    expect(emulator.state.forms.size).toBe(1);

    // The backend re-offers it; the quota has recovered.
    await control('enqueue', [createAssetsCommand('create-5', emulator)]);
    emulator.run('pumpNow');
    const done = (await backendState()).completions.filter((c) => c.id === 'create-5').at(-1);
    expect(done?.result?.formPublished).toBe(true);
    expect(emulator.state.forms.size).toBe(1);
    expect(emulator.state.forms.get(done!.result.formId)!.items).toHaveLength(QUIZ.length);
    expect([...emulator.state.driveItems.values()].filter((d) => d.name === 'PresGen create-5')).toHaveLength(1);
  });

  it('the daily Properties quota running out mid-command: a plain-words notice, and after the reset the command resumes with nothing doubled', async () => {
    // How many Properties reads/writes one pump with one create command takes, on a fresh Workspace.
    const probe = newEmulator();
    await createAssets(probe, 'props-probe');
    const perRun = probe.quotaUsage()['PropertiesService.readWrite'];

    // Today's quota runs out part way through that command.
    const emulator = newEmulator({ dailyQuotas: { 'PropertiesService.readWrite': Math.floor(perRun * 0.6) } });
    await control('enqueue', [createAssetsCommand('props-1', emulator)]);
    emulator.run('pumpNow');
    // Whatever step it stopped at, nothing was reported as done (at most a retryable error).
    const cut = (await backendState()).completions.filter((c) => c.id === 'props-1');
    for (const c of cut) expect(c.error).toEqual({ retryable: true, message: expect.stringContaining('for one day: properties') });
    expect(emulator.state.forms.size).toBeLessThanOrEqual(1);

    // Every sidebar call now says what happened, in plain words.
    let notice = '';
    try {
      emulator.run('pumpNow');
    } catch (err) {
      if (!(err instanceof ScriptExecutionError)) throw err;
      notice = err.message;
    }
    expect(notice).toMatch(/^Google's daily limit for the add-on's saved state \(Properties: 50,000 reads and writes a day\) is used up/);
    expect(notice).toMatch(/Nothing was lost/);

    // An hour later (the hourly pump) the limit has reset and the backend offers the command again:
    // it resumes (a run mark the cut-short execution left has expired with it), nothing is created twice.
    emulator.resetDailyQuotas();
    emulator.state.clockOffsetMs += 60 * 60_000;
    await control('enqueue', [createAssetsCommand('props-1', emulator)]);
    emulator.run('pumpNow');
    const done = (await backendState()).completions.filter((c) => c.id === 'props-1').at(-1);
    expect(done?.result?.formPublished).toBe(true);
    expect(emulator.state.forms.size).toBe(1);
    expect(emulator.state.forms.get(done!.result.formId)!.items.map((i) => i.title)).toEqual(QUIZ.map((q) => q.title));
    expect([...emulator.state.driveItems.values()].filter((d) => d.name === 'PresGen props-1')).toHaveLength(1);
    expect([...emulator.state.driveItems.values()].filter((d) => d.name === 'Results props-1')).toHaveLength(1);
  });

  it('write_tab: one setValues per tab, rows padded to the widest, header frozen', async () => {
    const emulator = newEmulator();
    const assets = await createAssets(emulator, 'create-2');
    const tab = (id: string, tabName: string, rows: unknown[][]) => ({
      ...envelope(id),
      type: 'write_tab',
      payload: { spreadsheetId: assets.resultsSpreadsheetId, tabName, rows },
    });
    await control('enqueue', [
      tab('tab-1', 'Gap_Analysis', [
        ['Domain', 'Score', 'Severity'],
        ['Networking', 0.5],
        ['Security', null, 'high'],
      ]),
      tab('tab-2', 'Training_Plan', [
        ['Rank', 'Skill'],
        [1, 'Subnetting'],
      ]),
      // Text Sheets would otherwise turn into dates, numbers, booleans and a formula.
      tab('tab-3', 'Course_Outline_1', [
        ['Slide', 'Title'],
        [1, '7/10'],
        [2, '1-2'],
        [3, '+5'],
        [4, 'TRUE'],
        [5, '=IMPORTXML("x")'],
      ]),
    ]);
    emulator.resetCallCounts();
    emulator.run('pumpNow');

    expect(emulator.callCounts()['Range.setValues']).toBe(3);
    const sheets = emulator.state.spreadsheets.get(assets.resultsSpreadsheetId)!.sheets;
    const outline = sheets.find((s) => s.name === 'Course_Outline_1')!;
    expect(outline.values.map((row) => row[1])).toEqual(['Title', '7/10', '1-2', '+5', 'TRUE', '=IMPORTXML("x")']);
    expect(outline.values.map((row) => row[0]).slice(1)).toEqual([1, 2, 3, 4, 5]); // numbers stay numbers
    expect(outline.formulas.size).toBe(0);
    const gap = sheets.find((s) => s.name === 'Gap_Analysis')!;
    expect(gap.values).toEqual([
      ['Domain', 'Score', 'Severity'],
      ['Networking', 0.5, ''],
      ['Security', '', 'high'],
    ]);
    expect(gap.frozenRows).toBe(1);
    const results = (await backendState()).completions.filter((c) => c.id.startsWith('tab-'));
    expect(results.map((c) => c.result)).toEqual([
      expect.objectContaining({ tabName: 'Gap_Analysis', rowCount: 3, columnCount: 3 }),
      expect.objectContaining({ tabName: 'Training_Plan', rowCount: 2, columnCount: 2 }),
      expect.objectContaining({ tabName: 'Course_Outline_1', rowCount: 6, columnCount: 2 }),
    ]);
  });

  it('answers an invalid payload with a non-retryable error and drops a completion refused as a stale lease', async () => {
    const emulator = newEmulator();
    await control('stale', { id: 'stale-1' });
    await control('enqueue', [
      { ...envelope('bad-1'), type: 'write_tab', payload: { spreadsheetId: 'x', tabName: 'T', rows: [] } },
      { ...envelope('stale-1'), type: 'trash_files', payload: { fileIds: ['gone-already'] } },
    ]);
    const stats = emulator.run('pumpNow') as { invalid: number; staleLeases: number };
    expect(stats).toMatchObject({ invalid: 1, staleLeases: 1 });
    const bad = (await backendState()).completions.find((c) => c.id === 'bad-1');
    expect(bad?.error).toEqual({ retryable: false, message: expect.stringContaining('payload.rows') });
  });

  it('survives a backend 503 during a pump, honouring Retry-After', async () => {
    const emulator = newEmulator();
    const claimsBefore = (await backendState()).claims.length;
    await control('fail-claims', { times: 2 });
    await control('enqueue', [{ ...envelope('trash-1'), type: 'trash_files', payload: { fileIds: ['never-existed'] } }]);
    const stats = emulator.run('pumpNow') as { succeeded: number; backendError?: string };
    expect(stats.backendError).toBeUndefined();
    expect(stats.succeeded).toBe(1);
    const after = await backendState();
    expect(after.claims.length - claimsBefore).toBeGreaterThanOrEqual(3);
    expect(after.completions.find((c) => c.id === 'trash-1')?.result).toEqual({ trashedFileIds: ['never-existed'] });
    expect(emulator.callCounts()['Utilities.sleep']).toBeGreaterThanOrEqual(2);
  });
});

describe('form submissions', () => {
  it('the one trigger posts the response by question id, then drains the commands that follow', async () => {
    const emulator = newEmulator();
    emulator.run('ensureTriggers');
    const assets = await createAssets(emulator, 'create-3');
    await control('enqueue', [
      {
        ...envelope('tab-after-submit'),
        type: 'write_tab',
        payload: { spreadsheetId: assets.resultsSpreadsheetId, tabName: 'Gap_Analysis', rows: [['ok']] },
      },
    ]);

    const runs = emulator.fireFormSubmit(assets.formId, { [QUIZ[0].title]: 'TCP', [QUIZ[1].title]: 'RSA' }, LEARNER);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ handlerFunction: 'onFormSubmitDispatcher', ok: true });

    const state = await backendState();
    const posted = state.submissions.filter((s) => s.formId === assets.formId);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({
      respondentEmail: LEARNER,
      answers: [
        { questionId: 'q-net-1', answer: 'TCP' },
        { questionId: 'q-sec-1', answer: 'RSA' },
      ],
    });
    expect(state.completions.find((c) => c.id === 'tab-after-submit')?.result).toMatchObject({ tabName: 'Gap_Analysis' });

    // The same trigger firing again (a retry by Google) posts nothing twice.
    emulator.fireFormSubmit(assets.formId, { [QUIZ[0].title]: 'UDP', [QUIZ[1].title]: 'AES' }, 'second@example.com');
    const again = (await backendState()).submissions.filter((s) => s.formId === assets.formId);
    expect(again.map((s) => s.responseId)).toEqual([posted[0].responseId, expect.any(String)]);
    expect(new Set(again.map((s) => s.responseId)).size).toBe(2);
  });
});

describe('hygiene', () => {
  it('authenticates every call with the ID token, reports quota usage, and keeps emails and tokens out of logs', async () => {
    const emulator = newEmulator();
    await createAssets(emulator, 'create-4');
    const state = await backendState();
    expect(state.authHeaders.every((h) => h === `Bearer ${ID_TOKEN}`)).toBe(true);
    const report = state.quotaReports.at(-1)!;
    expect(report.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(report.usage['FormApp.create']).toBeGreaterThanOrEqual(1);
    expect(report.usage['UrlFetchApp.fetch']).toBeGreaterThanOrEqual(2);
    const logs = emulator.logs().join('\n');
    expect(logs).toContain('command_completed');
    expect(logs).not.toContain('@');
    expect(logs).not.toContain(ID_TOKEN);
  });

  it('an idle sidebar pump costs one UrlFetch, and quota usage is reported at most every five minutes', async () => {
    const emulator = newEmulator();
    const reportsBefore = (await backendState()).quotaReports.length;
    emulator.resetCallCounts();
    emulator.run('pumpNow'); // first pump of the day: reports
    expect(emulator.callCounts()['UrlFetchApp.fetch']).toBe(2); // claim + report
    emulator.resetCallCounts();
    for (let i = 0; i < 5; i++) emulator.run('pumpNow');
    expect(emulator.callCounts()['UrlFetchApp.fetch']).toBe(5); // one claim each, no report
    expect((await backendState()).quotaReports.length).toBe(reportsBefore + 1);

    emulator.state.clockOffsetMs += 5 * 60_000; // five simulated minutes later
    emulator.run('pumpNow');
    const reports = (await backendState()).quotaReports;
    expect(reports.length).toBe(reportsBefore + 2);
    expect(reports.at(-1)!.usage['UrlFetchApp.fetch']).toBeGreaterThanOrEqual(7); // nothing lost between reports
  });

  it('with slow Workspace calls, a pump claims only what fits in its time, so nothing waits claimed while its lease runs out', async () => {
    // 400 ms a call: creating the assets is ~10 s of a sidebar pump's 25 s.
    const emulator = newEmulator({ callLatencyMs: 400 });
    await control(
      'enqueue',
      [1, 2, 3, 4].map((i) => createAssetsCommand(`slow-${i}`, emulator)),
    );
    const stats = emulator.run('pumpNow') as { claimed: number; succeeded: number; deferred: number };
    expect(stats.deferred).toBe(0);
    expect(stats.claimed).toBe(stats.succeeded);
    expect(stats.claimed).toBeGreaterThanOrEqual(1);
    let state = await backendState();
    expect((state as unknown as { queue: unknown[] }).queue.length).toBe(4 - stats.claimed); // left unclaimed for the next run
    for (let i = 0; i < 8 && (state as unknown as { queue: unknown[] }).queue.length > 0; i++) {
      emulator.run('pumpNow');
      state = await backendState();
    }
    expect(state.completions.filter((c) => c.id.startsWith('slow-'))).toHaveLength(4);
  });
});
