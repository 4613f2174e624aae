/**
 * Loads the built bundle and runs Apps Script executions: a fresh vm context per execution (as Apps
 * Script starts each execution with a fresh global scope), sharing the one in-memory Workspace.
 * Compiled scripts are cached; the bundle is read once. Executions run one at a time, except an
 * overlapping one (WorkspaceEmulator.overlapDuring), which runs to its end inside a service call of
 * the execution it overlaps.
 */
import { createCharts } from './charts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { createCacheService } from './cache';
import { createDriveApp, DriveHandles } from './drive';
import { createFormApp, FormHandles } from './forms';
import { createHtmlService } from './html';
import { createLockService } from './lock';
import { createPropertiesService } from './properties';
import { hostRealm, intoRealm, messageOf, realmOf, ScriptExecutionError } from './realm';
import { EXCEEDED_EXECUTION_TIME, type AuthMode, type Execution, type Runtime } from './runtime';
import { createScriptApp, TriggerHandles, type SyncIdentity } from './script-app';
import { createSpreadsheetApp, SpreadsheetHandles } from './spreadsheets';
import { createUrlFetchApp } from './url-fetch';
import { createConsole, createLogger, createSession, createUtilities } from './utilities';

/** Makes `new Date()` and `Date.now()` in the script follow the simulated clock (sleeps advance it). */
const DATE_SHIM = new vm.Script(`(function (RealDate, offset) {
  function SimDate(...args) {
    if (!new.target) return new RealDate(RealDate.now() + offset()).toString();
    return args.length === 0 ? new RealDate(RealDate.now() + offset()) : new RealDate(...args);
  }
  SimDate.prototype = RealDate.prototype;
  SimDate.now = function () { return RealDate.now() + offset(); };
  SimDate.UTC = RealDate.UTC;
  SimDate.parse = RealDate.parse;
  globalThis.Date = SimDate;
})`);

const CALL_ENTRY_POINT = new vm.Script('__emulatorFunction.apply(undefined, __emulatorArguments)');

export interface ExecutionRequest {
  functionName: string;
  args: unknown[];
  kind: Execution['kind'];
  authMode: AuthMode;
  budgetMs: number;
  triggerUid?: string;
  /** Builds arguments that need handles (event objects); called inside the execution. */
  argsFactory?: () => unknown[];
  /** Starts while another execution is running (WorkspaceEmulator.overlapDuring); otherwise executions never nest. */
  overlapping?: boolean;
}

export class ScriptHost {
  readonly spreadsheets: SpreadsheetHandles;
  readonly forms: FormHandles;
  readonly drive: DriveHandles;
  readonly triggers: TriggerHandles;
  private readonly scripts: vm.Script[];

  constructor(
    private readonly rt: Runtime,
    private readonly bundleDir: string,
    private readonly identity: SyncIdentity,
  ) {
    this.spreadsheets = new SpreadsheetHandles(rt);
    this.forms = new FormHandles(rt);
    this.drive = new DriveHandles(rt);
    this.triggers = new TriggerHandles(rt);
    const files = readdirSync(bundleDir)
      .filter((f) => f.endsWith('.js') || f.endsWith('.gs'))
      .sort();
    if (files.length === 0) throw new Error(`emulator: no .js bundle in ${bundleDir}`);
    this.scripts = files.map((f) => new vm.Script(readFileSync(join(bundleDir, f), 'utf8'), { filename: join(bundleDir, f) }));
  }

  private globals(): Record<string, unknown> {
    const rt: Runtime = this.rt;
    return {
      FormApp: createFormApp(rt, this.forms),
      SpreadsheetApp: createSpreadsheetApp(rt, this.spreadsheets),
      Charts: createCharts(rt),
      DriveApp: createDriveApp(rt, this.drive),
      ScriptApp: createScriptApp(rt, this.triggers, this.identity),
      UrlFetchApp: createUrlFetchApp(rt),
      PropertiesService: createPropertiesService(rt),
      CacheService: createCacheService(rt),
      LockService: createLockService(rt),
      HtmlService: createHtmlService(rt, this.bundleDir),
      Session: createSession(rt),
      Utilities: createUtilities(rt),
      Logger: createLogger(rt),
      console: createConsole(rt),
    };
  }

  execute(request: ExecutionRequest): unknown {
    const rt: Runtime = this.rt;
    const { functionName } = request;
    const outer = rt.current;
    if (outer && !request.overlapping) {
      throw new Error(`emulator: cannot start ${functionName} inside ${outer.functionName}: executions do not nest`);
    }
    const context = vm.createContext(this.globals());
    const ex: Execution = {
      id: rt.newExecutionId(),
      functionName,
      kind: request.kind,
      startedAtReal: performance.now(),
      sleptMs: 0,
      budgetMs: request.budgetMs,
      authMode: request.authMode,
      realm: realmOf(context),
      heldLocks: new Set(),
      killed: false,
    };
    rt.current = ex;
    rt.live.push(ex);
    let error: string | undefined;
    try {
      (DATE_SHIM.runInContext(context) as (d: DateConstructor, o: () => number) => void)(ex.realm.Date, () => rt.state.clockOffsetMs);
      // vm's timeout is a real-time backstop for loops that never call a service.
      const timeout = Math.max(1, Math.ceil(request.budgetMs));
      for (const script of this.scripts) script.runInContext(context, { timeout });
      const fn = (context as Record<string, unknown>)[functionName];
      if (typeof fn !== 'function') throw new ScriptExecutionError(`Script function not found: ${functionName}`, functionName);
      const args = request.argsFactory ? request.argsFactory() : request.args;
      Object.assign(context, { __emulatorFunction: fn, __emulatorArguments: intoRealm(args, ex.realm) });
      const result = CALL_ENTRY_POINT.runInContext(context, { timeout });
      if (ex.killed) throw new ScriptExecutionError(EXCEEDED_EXECUTION_TIME, functionName);
      return intoRealm(result, hostRealm);
    } catch (err) {
      const timedOut = (err as { code?: string })?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
      error = ex.killed || timedOut ? EXCEEDED_EXECUTION_TIME : messageOf(err);
      if (err instanceof ScriptExecutionError && !ex.killed) throw err;
      throw new ScriptExecutionError(error, functionName, (err as Error)?.stack);
    } finally {
      rt.state.executions.push({
        id: ex.id,
        functionName,
        kind: request.kind,
        triggerUid: request.triggerUid,
        ok: error === undefined,
        error,
        simulatedMs: Math.round(rt.elapsedMs(ex)),
      });
      // Locks die with their execution, as in Apps Script. An overlapped execution carries on.
      rt.live.splice(rt.live.indexOf(ex), 1);
      rt.current = outer;
    }
  }
}
