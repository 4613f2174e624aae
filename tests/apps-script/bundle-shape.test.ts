import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORM_SUBMIT_HANDLER, HOURLY_PUMP_HANDLER, SHOW_SIDEBAR_HANDLER } from '../../apps-script/entry-names';
import { BackendUrl, buildAppsScript, GLOBAL_NAME } from '../../scripts/build-apps-script';
import { STATUS_LABELS, STEP_STATUSES } from '../../shared/workflow-status';

/** What Apps Script, triggers and the sidebar call by name. */
const ENTRY_POINTS = [
  'onOpen',
  'onInstall',
  'showSidebar',
  'sidebarBootstrap',
  'startAssessment',
  'listMyWorkflows',
  'getWorkflowDetail',
  'resumeWithSheetUrl',
  'retryWorkflow',
  'cancelWorkflow',
  'pumpNow',
  'checkForResponses',
  'onFormSubmitDispatcher',
  'pumpCommands',
  'ensureTriggers',
];

/** Which code in the bundle needs which OAuth scope. */
const SCOPE_USAGE: Array<[RegExp, string[]]> = [
  [/\bSpreadsheetApp\.(openById|openByUrl|create)\(/, ['https://www.googleapis.com/auth/spreadsheets']],
  [/\bFormApp\.(create|openById|openByUrl)\(/, ['https://www.googleapis.com/auth/forms']],
  [/\bDriveApp\.\w+\(/, ['https://www.googleapis.com/auth/drive']],
  [/\bUrlFetchApp\.fetch\(/, ['https://www.googleapis.com/auth/script.external_request']],
  [/\.showSidebar\(|\.createAddonMenu\(/, ['https://www.googleapis.com/auth/script.container.ui']],
  [/\bScriptApp\.newTrigger\(/, ['https://www.googleapis.com/auth/script.scriptapp']],
  // The ID token must carry the instructor's verified email for the backend.
  [/\bScriptApp\.getIdentityToken\(/, ['openid', 'https://www.googleapis.com/auth/userinfo.email']],
];

const BACKEND = 'https://assess.example.test/base';
let outDir: string;
let code: string;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'presgen-apps-script-'));
  await buildAppsScript({ backendUrl: `${BACKEND}/`, outDir });
  code = await readFile(join(outDir, 'Code.js'), 'utf8');
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('Code.js', () => {
  it('has no export statement left', () => {
    expect(code).not.toMatch(/(^|[;}\n])\s*export\s*(\{|\*|default\b|var\b|let\b|const\b|function\b|class\b)/m);
  });

  it('declares every entry point as a top-level function', () => {
    for (const name of ENTRY_POINTS) expect(code, name).toMatch(new RegExp(`^function ${name}\\(`, 'm'));
  });

  it('evaluates in a bare V8 context (no process, Buffer, setTimeout) and exposes the entry points', () => {
    const context = vm.createContext({});
    vm.runInContext(code, context, { filename: 'Code.js' });
    for (const name of ENTRY_POINTS) expect(typeof context[name], name).toBe('function');
    // The wrappers are derived from main.ts's exports: nothing more, nothing less.
    const exported = Object.keys(context[GLOBAL_NAME]).sort();
    expect(exported).toEqual([...ENTRY_POINTS].sort());
    const declared = [...code.matchAll(/^function (\w+)\(/gm)].map((m) => m[1]).sort();
    expect(declared).toEqual(exported);
  });

  it('declares the handlers that triggers and the menu refer to by name', () => {
    for (const name of [FORM_SUBMIT_HANDLER, HOURLY_PUMP_HANDLER, SHOW_SIDEBAR_HANDLER]) expect(ENTRY_POINTS).toContain(name);
  });

  it('bakes in the backend URL without a trailing slash', () => {
    expect(code).toContain(JSON.stringify(BACKEND));
    expect(code).not.toContain(JSON.stringify(`${BACKEND}/`));
  });
});

describe('appsscript.json', () => {
  it('is a V8 manifest whose urlFetchWhitelist is exactly the backend URL', async () => {
    const manifest = JSON.parse(await readFile(join(outDir, 'appsscript.json'), 'utf8'));
    expect(manifest.runtimeVersion).toBe('V8');
    expect(typeof manifest.timeZone).toBe('string');
    expect(manifest.urlFetchWhitelist).toEqual([`${BACKEND}/`]);
  });

  it('lists exactly the scopes the code uses', async () => {
    const manifest = JSON.parse(await readFile(join(outDir, 'appsscript.json'), 'utf8'));
    const needed = new Set<string>();
    for (const [usage, scopes] of SCOPE_USAGE) if (usage.test(code)) scopes.forEach((s) => needed.add(s));
    expect([...needed].sort()).toEqual([...manifest.oauthScopes].sort());
    expect(manifest.oauthScopes).toContain('openid');
    expect(manifest.oauthScopes).toContain('https://www.googleapis.com/auth/userinfo.email');
  });
});

describe('Sidebar.html', () => {
  it('is copied to the output with a label for every field and an aria-live region for errors', async () => {
    const html = await readFile(join(outDir, 'Sidebar.html'), 'utf8');
    const ids = [...html.matchAll(/<(?:input|select)[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(
      expect.arrayContaining(['certificationId', 'learnerEmail', 'courseCount', 'slidesPerCourse', 'avatarVideos', 'shareWithLearner']),
    );
    for (const id of ids) expect(html, id).toMatch(new RegExp(`<label[^>]*for="${id}"`));
    expect(html).toMatch(/id="status"[^>]*aria-live="polite"|aria-live="polite"[^>]*id="status"/);
  });

  it('gets its step list and labels from shared/workflow-status at build time, not from a copy', async () => {
    const html = await readFile(join(outDir, 'Sidebar.html'), 'utf8');
    expect(html).not.toContain('/*@');
    const steps = JSON.parse(/var STEPS = (\[.*?\]);/.exec(html)![1]);
    const labels = JSON.parse(/var LABELS = (\{.*?\});/.exec(html)![1]);
    expect(steps).toEqual([...STEP_STATUSES]);
    expect(labels).toEqual(STATUS_LABELS);
  });
});

describe('BACKEND_URL validation', () => {
  it('accepts https anywhere and http only on loopback', () => {
    expect(BackendUrl.parse('https://assess.example.com/')).toBe('https://assess.example.com');
    expect(BackendUrl.parse('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787');
    expect(BackendUrl.parse('http://localhost:3000/api-root/')).toBe('http://localhost:3000/api-root');
  });

  it.each([
    ['http://assess.example.com', /must use https/],
    ['ftp://assess.example.com', /must use https/],
    ['not a url', /absolute URL/],
    ['https://assess.example.com/?x=1', /query string/],
  ])('refuses %j with a clear message', async (url, message) => {
    const result = BackendUrl.safeParse(url);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join('; ')).toMatch(message);
    await expect(buildAppsScript({ backendUrl: url, outDir: join(outDir, 'never') })).rejects.toThrow(message);
  });
});

describe('the bundle at run time (minimal fake services, no network)', () => {
  function runtimeContext() {
    const menu: Array<[string, string]> = [];
    let fetches = 0;
    const properties = () => ({
      getProperties: () => ({}),
      getProperty: () => null,
      setProperty: () => undefined,
      deleteProperty: () => undefined,
    });
    const context = vm.createContext({
      SpreadsheetApp: {
        getUi: () => ({
          createAddonMenu: () => ({
            addItem(label: string, fn: string) {
              menu.push([label, fn]);
              return this;
            },
            addToUi() {},
          }),
        }),
        getActiveSpreadsheet: () => ({ getId: () => 'ss-active' }),
      },
      PropertiesService: { getScriptProperties: properties, getUserProperties: properties },
      UrlFetchApp: {
        fetch: () => {
          fetches++;
          throw new Error('Address unavailable: no network in this test');
        },
      },
      ScriptApp: { getIdentityToken: () => 'test-token' },
      Utilities: { sleep: () => undefined, getUuid: () => 'uuid-1' },
      console: { log() {}, warn() {}, error() {} },
    });
    vm.runInContext(code, context);
    return { context, menu, fetches: () => fetches };
  }

  it('onOpen only builds the menu, pointing at an entry point', () => {
    const { context, menu, fetches } = runtimeContext();
    context.onOpen({});
    expect(menu).toEqual([['Open PresGen-Assess', SHOW_SIDEBAR_HANDLER]]);
    expect(fetches()).toBe(0);
  });

  it('startAssessment validates input with zod inside the bundle and names the field', () => {
    const { context, fetches } = runtimeContext();
    expect(() => context.startAssessment({ certificationId: 'aws', learnerEmail: 'nope', courseCount: 2, slidesPerCourse: 5 })).toThrow(
      /^Learner email:/,
    );
    expect(() =>
      context.startAssessment({ certificationId: 'aws', learnerEmail: 'a@example.com', courseCount: 9, slidesPerCourse: 5 }),
    ).toThrow(/^Number of courses:/);
    expect(fetches()).toBe(0);
  });

  it('parses URLs with zod inside the bundle (Apps Script has no URL global) and words network failures plainly', () => {
    const { context, fetches } = runtimeContext();
    expect(typeof context.URL).toBe('function'); // installed by the bundle: the bare context has none
    expect(() => context.resumeWithSheetUrl('wf-1', 'https://example.com/not-a-sheet')).toThrow(/^Sheet URL:/);
    expect(fetches()).toBe(0);
    // A valid link passes validation; the backend is unreachable, so the call is retried, then explained.
    expect(() => context.resumeWithSheetUrl('wf-1', 'https://docs.google.com/spreadsheets/d/abc/edit')).toThrow(
      /^Could not reach PresGen-Assess/,
    );
    expect(fetches()).toBe(5);
  });
});
