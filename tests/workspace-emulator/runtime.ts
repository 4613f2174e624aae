/**
 * The execution runtime shared by every emulated service: the current execution and its budget,
 * the simulated clock, call counts, daily quotas, injected quota errors, scope and auth-mode checks.
 */
import type { CallGate, HandleKind } from './handles';
import { hasScope, requiredScopes, type AppsScriptManifest } from './manifest';
import { intoRealm, messageOf, scriptError, type Realm } from './realm';
import type { EmulatorState } from './state';

export type QuotaName =
  | 'UrlFetchApp.fetch'
  | 'FormApp.create'
  | 'SpreadsheetApp.create'
  | 'DriveApp.createFolder'
  | 'DriveApp.createFile'
  | 'PropertiesService.readWrite'
  | 'triggerRuntimeMs';

/** Consumer-account daily quotas (https://developers.google.com/apps-script/guides/services/quotas). */
export const DEFAULT_DAILY_QUOTAS: Record<QuotaName, number> = {
  'UrlFetchApp.fetch': 20_000,
  'FormApp.create': 250,
  'SpreadsheetApp.create': 250,
  'DriveApp.createFolder': 250,
  'DriveApp.createFile': 250,
  /** "Properties read/write": 50,000/day consumer, 500,000/day Workspace; every store read or write counts one. */
  'PropertiesService.readWrite': 50_000,
  triggerRuntimeMs: 90 * 60 * 1000,
};

/** The names Google prints in "Service invoked too many times" messages. */
const GOOGLE_SERVICE_NAMES: Record<string, string> = {
  UrlFetchApp: 'urlfetch',
  FormApp: 'forms',
  SpreadsheetApp: 'spreadsheets',
  DriveApp: 'driveapp',
  PropertiesService: 'properties',
  CacheService: 'cache',
  ScriptApp: 'scriptapp',
};

/** Which service family a handle kind belongs to: quotas, scopes and injected errors work per family. */
const FAMILY_OF_KIND: Record<string, string> = {
  Form: 'FormApp',
  Item: 'FormApp',
  MultipleChoiceItem: 'FormApp',
  Choice: 'FormApp',
  FormResponse: 'FormApp',
  ItemResponse: 'FormApp',
  Spreadsheet: 'SpreadsheetApp',
  Sheet: 'SpreadsheetApp',
  EmbeddedChartBuilder: 'SpreadsheetApp',
  EmbeddedChart: 'SpreadsheetApp',
  Range: 'SpreadsheetApp',
  Ui: 'SpreadsheetApp',
  Menu: 'SpreadsheetApp',
  Folder: 'DriveApp',
  File: 'DriveApp',
  DriveUser: 'DriveApp',
  FileIterator: 'DriveApp',
  FolderIterator: 'DriveApp',
  Trigger: 'ScriptApp',
  AuthorizationInfo: 'ScriptApp',
  TriggerBuilder: 'ScriptApp',
  SpreadsheetTriggerBuilder: 'ScriptApp',
  FormTriggerBuilder: 'ScriptApp',
  ClockTriggerBuilder: 'ScriptApp',
  HTTPResponse: 'UrlFetchApp',
  Properties: 'PropertiesService',
  Cache: 'CacheService',
  Lock: 'LockService',
  HtmlOutput: 'HtmlService',
  HtmlTemplate: 'HtmlService',
  User: 'Session',
  Blob: 'Utilities',
};

export type AuthMode = 'NONE' | 'LIMITED' | 'FULL';
export type LockScope = 'script' | 'user' | 'document';

export interface Execution {
  id: number;
  functionName: string;
  kind: 'run' | 'trigger' | 'simple-trigger';
  startedAtReal: number;
  sleptMs: number;
  budgetMs: number;
  authMode: AuthMode;
  realm: Realm;
  heldLocks: Set<string>;
  /** Once the budget is spent the platform kills the execution; nothing the script catches revives it. */
  killed: boolean;
}

/** Thrown by service code; converted to a script-realm "Exception" by the gate. */
export class AppsScriptError extends Error {}

export const EXCEEDED_EXECUTION_TIME = 'Exceeded maximum execution time';

export interface RuntimeOptions {
  executionBudgetMs: number;
  dailyQuotas: Record<QuotaName, number>;
  allowHttpLoopback: boolean;
  /** Utilities.sleep blocks for real this fraction of the requested time, capped: keeps pumps polling. */
  realSleepFraction: number;
  maxRealSleepMs: number;
  user: { email: string; sub: string };
  /**
   * 'test': the add-on runs as a test deployment (Apps Script → Deploy → Test deployments), where
   * Google does not support installable triggers: creating one fails and none ever fires.
   */
  deployment: 'installed' | 'test';
  /**
   * A Workspace domain whose policy forbids sharing outside it: granting a Drive role to an address of
   * another domain fails, as Drive does. Undefined: no policy (consumer account).
   */
  sharingDomain?: string;
  /**
   * Scopes the user consented to (granular consent, or an update that added scopes since they
   * authorised). Undefined: every scope the manifest declares.
   */
  grantedScopes?: string[];
  /** Simulated time each Workspace service call takes (Google's calls take tens to hundreds of ms). */
  callLatencyMs: number;
}

/**
 * AuthMode.NONE (onOpen in a document where the add-on is installed but not used yet; onInstall in
 * the stricter case): Google allows no service that needs authorization, only building the menu
 * (https://developers.google.com/apps-script/reference/script/auth-mode,
 * https://developers.google.com/apps-script/add-ons/lifecycle). Modelled strictly: the add-on menu,
 * logging and Utilities; no PropertiesService, active document, lock, session, UrlFetch or ScriptApp.
 */
const NONE_ALLOWED_KINDS = new Set(['Menu', 'Logger', 'console', 'Utilities', 'Blob']);
const NONE_ALLOWED_CALLS = new Set(['SpreadsheetApp.getUi', 'Ui.createAddonMenu', 'Ui.createMenu']);
export const AUTH_MODE_NONE_HINT = 'This add-on has not been enabled in this document (AuthMode.NONE): only menus can be built.';

/** Calls that never need a granted scope: they report on authorization instead. */
const CONSENT_EXEMPT = new Set(['ScriptApp.getIdentityToken', 'ScriptApp.getAuthorizationInfo']);
export const AUTHORIZATION_REQUIRED = 'Authorization is required to perform that action.';

interface InjectedQuotaError {
  match: string;
  remaining: number;
  window: 'daily' | 'short';
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Another execution scheduled to start while this one is inside a service call (see
 * WorkspaceEmulator.overlapDuring): `when` sees each completed call's key ('Form.addMultipleChoiceItem').
 */
export interface OverlapHook {
  when: (callKey: string) => boolean;
  start: () => void;
}

export class Runtime implements CallGate {
  readonly counts: Record<string, number> = {};
  /** The execution whose code is running now (the innermost of `live`). */
  current: Execution | undefined;
  /** Every execution that has started and not ended: more than one while executions overlap. */
  readonly live: Execution[] = [];
  /** One-shot hooks that start an overlapping execution inside a service call. */
  readonly overlapHooks: OverlapHook[] = [];
  activeSpreadsheetId = '';
  /** A time-driven trigger runs with no active document: no active spreadsheet, document lock or document properties. */
  documentless = false;
  /** Locks "held by another execution" (simulated concurrency): scope -> holder label. */
  readonly foreignLocks = new Map<string, string>();
  private injected: InjectedQuotaError[] = [];
  private nextExecutionId = 1;

  constructor(
    readonly state: EmulatorState,
    readonly manifest: AppsScriptManifest,
    readonly options: RuntimeOptions,
  ) {}

  now(): number {
    return Date.now() + this.state.clockOffsetMs;
  }

  newExecutionId(): number {
    return this.nextExecutionId++;
  }

  elapsedMs(ex: Execution): number {
    return performance.now() - ex.startedAtReal + ex.sleptMs;
  }

  /** Advances the simulated clock; blocks the thread only for a small fraction of it. */
  advanceClock(ms: number): void {
    const ex = this.current;
    const realMs = Math.min(ms * this.options.realSleepFraction, this.options.maxRealSleepMs);
    const before = performance.now();
    if (realMs >= 1) Atomics.wait(sleepCell, 0, 0, realMs);
    // The real part already moved both clocks; add only the simulated remainder.
    const simulatedRemainder = Math.max(0, Math.ceil(ms - (performance.now() - before)));
    this.state.clockOffsetMs += simulatedRemainder;
    // Time passes for every running execution, not only the one that waited (overlapping executions).
    for (const live of this.live) live.sleptMs += simulatedRemainder;
    if (ex && !this.live.includes(ex)) ex.sleptMs += simulatedRemainder;
  }

  /** Blocks the thread for real (a call that really is slow: a backend lease expires meanwhile) and moves every clock. */
  stallForReal(ms: number): void {
    if (ms >= 1) Atomics.wait(sleepCell, 0, 0, ms);
  }

  fail(message: string): never {
    throw new AppsScriptError(message);
  }

  notImplemented(kind: HandleKind, method: string): never {
    const ex = this.current;
    const message = `emulator: ${kind}.${method} not implemented`;
    throw ex ? scriptError(message, ex.realm) : new Error(message);
  }

  familyOf(kind: HandleKind): string {
    return FAMILY_OF_KIND[kind] ?? kind;
  }

  invoke(kind: HandleKind, method: string, call: () => unknown): unknown {
    const key = `${kind}.${method}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    const ex = this.current;
    if (!ex) throw new Error(`emulator: ${key} called outside an execution`);
    try {
      this.checkBudget(ex);
      const family = this.familyOf(kind);
      this.checkPermission(ex, family, key);
      this.takeInjectedQuotaError(family, key);
      if (this.options.callLatencyMs > 0 && family !== 'Utilities' && kind !== 'Utilities') this.advanceClock(this.options.callLatencyMs);
      const result = call();
      this.runOverlapHooks(key);
      this.checkBudget(ex);
      return intoRealm(result, ex.realm);
    } catch (err) {
      if (err instanceof ex.realm.Error) throw err;
      throw scriptError(messageOf(err), ex.realm);
    }
  }

  /** The call's effect has happened but its caller has not seen the result yet: another execution may start now. */
  private runOverlapHooks(key: string): void {
    const index = this.overlapHooks.findIndex((h) => h.when(key));
    if (index < 0) return;
    const [hook] = this.overlapHooks.splice(index, 1);
    hook.start();
  }

  checkBudget(ex: Execution): void {
    if (ex.killed || this.elapsedMs(ex) > ex.budgetMs) {
      ex.killed = true;
      throw new AppsScriptError(EXCEEDED_EXECUTION_TIME);
    }
  }

  chargeQuota(name: QuotaName, amount: number): void {
    const used = (this.state.quotaUsage[name] ?? 0) + amount;
    if (used > this.options.dailyQuotas[name]) {
      const family = name.split('.')[0];
      throw new AppsScriptError(`Service invoked too many times for one day: ${GOOGLE_SERVICE_NAMES[family] ?? family}.`);
    }
    this.state.quotaUsage[name] = used;
  }

  injectQuotaError(service: string, times: number, window: 'daily' | 'short'): void {
    this.injected.push({ match: service, remaining: times, window });
  }

  private takeInjectedQuotaError(family: string, key: string): void {
    const hit = this.injected.find((i) => i.remaining > 0 && (i.match === family || i.match === key));
    if (!hit) return;
    hit.remaining -= 1;
    const name = GOOGLE_SERVICE_NAMES[family] ?? family;
    throw new AppsScriptError(
      hit.window === 'daily'
        ? `Service invoked too many times for one day: ${name}.`
        : `Service invoked too many times in a short time: ${name}. Try Utilities.sleep(1000) between calls.`,
    );
  }

  private checkPermission(ex: Execution, family: string, key: string): void {
    if (ex.authMode === 'NONE' && !NONE_ALLOWED_KINDS.has(key.split('.')[0]) && !NONE_ALLOWED_CALLS.has(key)) {
      throw new AppsScriptError(`You do not have permission to call ${key}. ${AUTH_MODE_NONE_HINT}`);
    }
    const scopes = requiredScopes(family, key);
    // Simple triggers (onOpen in LIMITED mode) may not touch services that need authorization.
    const limitedForbidden =
      ex.authMode !== 'FULL' &&
      (['FormApp', 'DriveApp', 'UrlFetchApp', 'ScriptApp'].includes(family) ||
        ['SpreadsheetApp.openById', 'SpreadsheetApp.openByUrl', 'SpreadsheetApp.create'].includes(key));
    const missingScope = scopes !== undefined && !scopes.some((s) => hasScope(this.manifest, s));
    if (limitedForbidden || missingScope) {
      throw new AppsScriptError(`You do not have permission to call ${key}. Required permissions: ${(scopes ?? []).join(', ')}`);
    }
    if (scopes !== undefined && !CONSENT_EXEMPT.has(key) && !scopes.some((s) => this.isGranted(s)))
      throw new AppsScriptError(AUTHORIZATION_REQUIRED);
  }

  /** Declared in the manifest and consented to by the user. */
  isGranted(scope: string): boolean {
    if (!hasScope(this.manifest, scope)) return false;
    return this.options.grantedScopes === undefined || this.options.grantedScopes.includes(scope);
  }

  /** Scopes the manifest declares that the user has not consented to (e.g. added by an update). */
  ungrantedScopes(): string[] {
    return (this.manifest.oauthScopes ?? []).filter((s) => !this.isGranted(s));
  }
}
