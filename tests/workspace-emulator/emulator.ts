/**
 * The Workspace emulator: the built add-on bundle running against in-memory Google services,
 * with Google's editor add-on platform rules enforced. See README.md in this folder.
 */
import { addDriveItem, MIME } from './drive-model';
import { appendResponseRow, formatResponseTimestamp, recordResponse } from './form-responses';
import { lockKey } from './lock';
import { rangeHandle } from './range';
import { loadManifest, type AppsScriptManifest } from './manifest';
import { isDateLike, ScriptExecutionError } from './realm';
import { DEFAULT_DAILY_QUOTAS, Runtime, type AuthMode, type LockScope, type QuotaName } from './runtime';
import { TRIGGER_ERRORS, type SyncIdentity } from './script-app';
import { ScriptHost } from './script-host';
import { createSpreadsheetModel } from './spreadsheets';
import { linkDestination } from './forms';
import { createEmptyState, newItemId, type EmulatedTrigger, type EmulatorState } from './state';
import { scriptTimeZone } from './utilities';

export interface EmulatorOptions {
  /** Folder with Code.js, appsscript.json and the *.html files (the build output). */
  bundleDir: string;
  user: { email: string; sub: string };
  identity: SyncIdentity;
  activeSpreadsheetName?: string;
  /** Stands for the 6-minute limit (simulated time: real time plus Utilities.sleep). Default 360000. */
  executionBudgetMs?: number;
  /** Budget for simple triggers (onOpen/onInstall). Default 30000. */
  simpleTriggerBudgetMs?: number;
  dailyQuotas?: Partial<Record<QuotaName, number>>;
  /** Accept http://127.0.0.1 / localhost entries in urlFetchWhitelist. Default true. */
  allowHttpLoopback?: boolean;
  /** Utilities.sleep(ms) really blocks min(ms * fraction, max) so polling loops give servers time. Defaults 0.01 / 100. */
  realSleepFraction?: number;
  maxRealSleepMs?: number;
  /** 'test': a test deployment, where installable triggers cannot be created and never fire. Default 'installed'. */
  deployment?: 'installed' | 'test';
  /** The user's Workspace domain forbids sharing outside it: addViewer/addEditor to other domains fail. */
  sharingDomain?: string;
  /** Scopes the user consented to (granular consent; an update added scopes). Default: all the manifest declares. */
  grantedScopes?: string[];
  /** Simulated time every Workspace service call takes, so slow real calls can outlive leases in tests. Default 0. */
  callLatencyMs?: number;
}

export interface TriggerRunResult {
  triggerUid: string;
  handlerFunction: string;
  ok: boolean;
  error?: string;
  result?: unknown;
}

/** An execution started inside another one's service call (overlapDuring). */
export interface OverlapSpec {
  /** Start during the nth (default 1st) call with this key, e.g. 'Form.addMultipleChoiceItem', of any execution. */
  call: string;
  nth?: number;
  /** The overlapping execution: a top-level function run as google.script.run would (a sidebar poll). */
  functionName: string;
  args?: unknown[];
  /**
   * That call really is this slow: the thread blocks this long (real time) before the other execution
   * starts, so time-based state outside the emulator (a backend's command lease) moves on too.
   */
  stallRealMs?: number;
}

export interface OverlapOutcome {
  started: boolean;
  ok?: boolean;
  result?: unknown;
  error?: string;
}

export interface WorkspaceEmulator {
  /** One execution of a top-level function, as google.script.run or the editor would; throws ScriptExecutionError. */
  run(functionName: string, ...args: unknown[]): unknown;
  /**
   * Opens the document: runs onOpen as a simple trigger (simple-trigger budget) if defined. LIMITED
   * (default): the add-on is enabled in this document; NONE: installed, but not used in it yet.
   */
  openDocument(authMode?: 'LIMITED' | 'NONE'): unknown;
  /**
   * The user installs the add-on from the Marketplace while the document is open: runs onInstall if
   * defined. Google documents FULL; NONE models the stricter case the add-on must survive too.
   */
  installAddon(authMode?: AuthMode): unknown;
  /** A learner submits the form: records the response, appends it to the response tab, fires onFormSubmit triggers. */
  fireFormSubmit(formId: string, answers: Record<string, string>, respondentEmail: string): TriggerRunResult[];
  /** Runs every installed time-driven trigger once; one-shot after() triggers are removed. */
  fireTimeDrivenTriggers(): TriggerRunResult[];
  callCounts(): Record<string, number>;
  resetCallCounts(): void;
  readonly state: EmulatorState;
  readonly manifest: AppsScriptManifest;
  lastSidebar(): { title: string; html: string } | undefined;
  /** The next `times` calls of a service family ('UrlFetchApp') or method ('FormApp.create') fail with Google's quota text. */
  injectQuotaError(service: string, times: number, window?: 'daily' | 'short'): void;
  quotaUsage(): Record<string, number>;
  resetDailyQuotas(): void;
  /** Simulates another execution holding a lock; returns the release function. */
  holdLockElsewhere(scope: LockScope): () => void;
  /** The document the add-on runs in; triggers may only be created on it. */
  readonly activeSpreadsheetId: string;
  setActiveSpreadsheet(spreadsheetId: string): void;
  /** A spreadsheet owned by the user, created outside any execution (for multi-document tests). */
  createSpreadsheet(name: string): string;
  /** Someone else's form (the user cannot open it) sending its responses to a spreadsheet of the user's. */
  linkForeignForm(spreadsheetId: string, owner: string, questionTitles: string[]): string;
  /** The user's consent changes (an update added scopes they have not granted yet; undefined = all declared). */
  setGrantedScopes(scopes: string[] | undefined): void;
  /**
   * Overlapping executions (the sidebar poll while a trigger runs): schedules `spec.functionName` to
   * start while another execution is inside the given service call. The model: Apps Script runs
   * each execution in its own process; executions share only Workspace, Properties and Lock state,
   * and see each other only through service calls. So "B starts after one of A's calls took effect
   * and ends before A sees that call return" is a real interleaving, and the simplest one that
   * lets two executions race on shared state: B runs to its end synchronously inside A's call,
   * with its own fresh global scope, sharing the state, clock (latency and sleeps count for both)
   * and locks (a lock A holds stays held while B runs). Not modelled: interleavings where A
   * continues while B is suspended. One-shot; `outcome()` tells what B did once it ran.
   */
  overlapDuring(spec: OverlapSpec): { outcome(): OverlapOutcome };
  /** Log lines (Logger and console), optionally of one execution. */
  logs(executionId?: number): string[];
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export function createWorkspaceEmulator(opts: EmulatorOptions): WorkspaceEmulator {
  const manifest = loadManifest(opts.bundleDir);
  const state = createEmptyState();
  const rt = new Runtime(state, manifest, {
    executionBudgetMs: opts.executionBudgetMs ?? 360_000,
    dailyQuotas: { ...DEFAULT_DAILY_QUOTAS, ...opts.dailyQuotas },
    allowHttpLoopback: opts.allowHttpLoopback ?? true,
    realSleepFraction: opts.realSleepFraction ?? 0.01,
    maxRealSleepMs: opts.maxRealSleepMs ?? 100,
    user: opts.user,
    deployment: opts.deployment ?? 'installed',
    sharingDomain: opts.sharingDomain,
    grantedScopes: opts.grantedScopes,
    callLatencyMs: opts.callLatencyMs ?? 0,
  });
  addDriveItem(state, { id: state.rootFolderId, name: 'My Drive', mimeType: MIME.folder, owner: opts.user.email }, rt.now());
  state.driveItems.get(state.rootFolderId)!.parents = [];
  rt.activeSpreadsheetId = createSpreadsheetModel(rt, opts.activeSpreadsheetName ?? 'Instructor workbook').id;
  const host = new ScriptHost(rt, opts.bundleDir, opts.identity);
  const budget = rt.options.executionBudgetMs;
  const simpleBudget = opts.simpleTriggerBudgetMs ?? 30_000;

  const execute = (
    functionName: string,
    kind: 'run' | 'trigger' | 'simple-trigger',
    authMode: AuthMode,
    budgetMs: number,
    args: unknown[],
    argsFactory?: () => unknown[],
    triggerUid?: string,
  ) => {
    if (!IDENTIFIER.test(functionName)) throw new ScriptExecutionError(`Script function not found: ${functionName}`, functionName);
    return host.execute({ functionName, kind, authMode, budgetMs, args, argsFactory, triggerUid });
  };

  /** Installed triggers run as the installing user, in FULL auth, charged to the daily trigger runtime. */
  const runTrigger = (trigger: EmulatedTrigger, eventFactory: () => Record<string, unknown>): TriggerRunResult => {
    const base = { triggerUid: trigger.uid, handlerFunction: trigger.handlerFunction };
    if (rt.options.deployment === 'test') return { ...base, ok: false, error: TRIGGER_ERRORS.testDeployment };
    if ((state.quotaUsage.triggerRuntimeMs ?? 0) >= rt.options.dailyQuotas.triggerRuntimeMs) {
      return { ...base, ok: false, error: 'Service using too much computer time for one day' };
    }
    const before = state.executions.length;
    try {
      const result = execute(trigger.handlerFunction, 'trigger', 'FULL', budget, [], () => [eventFactory()], trigger.uid);
      return { ...base, ok: true, result };
    } catch (err) {
      if (!(err instanceof ScriptExecutionError)) throw err;
      return { ...base, ok: false, error: err.message };
    } finally {
      const record = state.executions[before];
      if (record) state.quotaUsage.triggerRuntimeMs = (state.quotaUsage.triggerRuntimeMs ?? 0) + record.simulatedMs;
    }
  };

  /** onOpen/onInstall: the event carries authMode; in NONE there is no document access, so no `source`. */
  const runAddonEvent = (functionName: 'onOpen' | 'onInstall', authMode: AuthMode) => {
    const spreadsheetId = rt.activeSpreadsheetId;
    const budgetMs = authMode === 'FULL' ? budget : simpleBudget;
    try {
      return execute(functionName, authMode === 'FULL' ? 'run' : 'simple-trigger', authMode, budgetMs, [], () => [
        authMode === 'NONE' ? { authMode } : { authMode, source: host.spreadsheets.spreadsheet(spreadsheetId) },
      ]);
    } catch (err) {
      if (err instanceof ScriptExecutionError && err.message === `Script function not found: ${functionName}`) return undefined;
      throw err;
    }
  };

  const emulator: WorkspaceEmulator = {
    state,
    manifest,
    get activeSpreadsheetId() {
      return rt.activeSpreadsheetId;
    },
    run(functionName, ...args) {
      // Functions ending in "_" are private: google.script.run and the editor cannot call them.
      if (functionName.endsWith('_')) throw new ScriptExecutionError(`Script function not found: ${functionName}`, functionName);
      return execute(functionName, 'run', 'FULL', budget, args);
    },
    openDocument(authMode = 'LIMITED') {
      return runAddonEvent('onOpen', authMode);
    },
    installAddon(authMode = 'FULL') {
      return runAddonEvent('onInstall', authMode);
    },
    fireFormSubmit(formId, answers, respondentEmail) {
      const form = state.forms.get(formId);
      if (!form) throw new Error(`emulator: no form ${formId}`);
      if (state.driveItems.get(formId)?.trashed) throw new Error(`emulator: form ${formId} is in the trash`);
      const response = recordResponse(form, answers, respondentEmail, rt.now());
      const spreadsheet = form.destinationId ? state.spreadsheets.get(form.destinationId) : undefined;
      const sheet = spreadsheet?.sheets.find((s) => s.sheetId === form.destinationSheetId);
      if (!spreadsheet || !sheet) return [];
      const recorded = appendResponseRow(sheet, form, response);
      const timeZone = scriptTimeZone(rt);
      const values = recorded.rowValues.map((v) => (isDateLike(v) ? formatResponseTimestamp(v, timeZone) : String(v)));
      const namedValues = Object.fromEntries(recorded.header.map((column, i) => [column, [values[i]]]));
      const ref = { spreadsheetId: spreadsheet.id, sheetId: sheet.sheetId };
      const triggers = state.triggers.filter((t) => t.eventType === 'ON_FORM_SUBMIT' && t.triggerSourceId === spreadsheet.id);
      return triggers.map((trigger) =>
        runTrigger(trigger, () => ({
          authMode: 'FULL',
          triggerUid: trigger.uid,
          source: host.spreadsheets.spreadsheet(spreadsheet.id),
          range: rangeHandle(rt, host.spreadsheets, ref, recorded.row, 1, 1, recorded.header.length),
          values,
          namedValues,
        })),
      );
    },
    fireTimeDrivenTriggers() {
      const clockTriggers = state.triggers.filter((t) => t.eventType === 'CLOCK');
      return clockTriggers.map((trigger) => {
        const now = new Date(rt.now());
        rt.documentless = true;
        let result: TriggerRunResult;
        try {
          result = runTrigger(trigger, () => ({
            authMode: 'FULL',
            triggerUid: trigger.uid,
            year: now.getUTCFullYear(),
            month: now.getUTCMonth() + 1,
            'day-of-month': now.getUTCDate(),
            'day-of-week': now.getUTCDay() === 0 ? 7 : now.getUTCDay(),
            hour: now.getUTCHours(),
            minute: now.getUTCMinutes(),
            second: now.getUTCSeconds(),
            timezone: 'UTC',
          }));
        } finally {
          rt.documentless = false;
        }
        if (trigger.afterMs !== undefined) state.triggers = state.triggers.filter((t) => t.uid !== trigger.uid);
        return result;
      });
    },
    callCounts: () => ({ ...rt.counts }),
    resetCallCounts() {
      for (const key of Object.keys(rt.counts)) delete rt.counts[key];
    },
    lastSidebar: () => state.sidebars.at(-1),
    injectQuotaError: (service, times, window = 'daily') => rt.injectQuotaError(service, times, window),
    quotaUsage: () => ({ ...state.quotaUsage }),
    resetDailyQuotas() {
      state.quotaUsage = {};
    },
    holdLockElsewhere(scope) {
      const key = lockKey(rt, scope);
      rt.foreignLocks.set(key, 'another execution');
      return () => rt.foreignLocks.delete(key);
    },
    setActiveSpreadsheet(spreadsheetId) {
      if (!state.spreadsheets.has(spreadsheetId)) throw new Error(`emulator: no spreadsheet ${spreadsheetId}`);
      rt.activeSpreadsheetId = spreadsheetId;
    },
    createSpreadsheet: (name) => createSpreadsheetModel(rt, name).id,
    linkForeignForm(spreadsheetId, owner, questionTitles) {
      const file = addDriveItem(state, { name: 'Someone else’s form', mimeType: MIME.form, owner }, rt.now());
      const form = {
        id: file.id,
        publishedId: `1FAIpQL${file.id.slice(1, 40)}`,
        title: 'Someone else’s form',
        description: '',
        isQuiz: false,
        published: true,
        acceptingResponses: true,
        collectEmail: false,
        responses: [],
        items: questionTitles.map((title) => ({
          id: newItemId(),
          type: 'MULTIPLE_CHOICE' as const,
          title,
          helpText: '',
          required: false,
          points: 0,
          choices: [{ value: 'Yes', isCorrect: false }],
        })),
      };
      state.forms.set(form.id, form);
      linkDestination(rt, form, spreadsheetId);
      return form.id;
    },
    setGrantedScopes(scopes) {
      rt.options.grantedScopes = scopes ? [...scopes] : undefined;
    },
    overlapDuring(spec) {
      const outcome: OverlapOutcome = { started: false };
      let seen = 0;
      rt.overlapHooks.push({
        when: (key) => key === spec.call && ++seen === (spec.nth ?? 1),
        start: () => {
          outcome.started = true;
          rt.stallForReal(spec.stallRealMs ?? 0);
          // A sidebar call runs in the document even when the execution it overlaps (hourly trigger) has none.
          const documentless = rt.documentless;
          rt.documentless = false;
          try {
            outcome.result = host.execute({
              functionName: spec.functionName,
              kind: 'run',
              authMode: 'FULL',
              budgetMs: budget,
              args: spec.args ?? [],
              overlapping: true,
            });
            outcome.ok = true;
          } catch (err) {
            if (!(err instanceof ScriptExecutionError)) throw err;
            outcome.ok = false;
            outcome.error = err.message;
          } finally {
            rt.documentless = documentless;
          }
        },
      });
      return { outcome: () => ({ ...outcome }) };
    },
    logs: (executionId) => state.logs.filter((l) => executionId === undefined || l.executionId === executionId).map((l) => l.message),
  };
  return emulator;
}
