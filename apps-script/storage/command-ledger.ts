import type { JsonStore } from './json-store';

/**
 * What this instructor's add-on has already done, keyed by command id:
 * - the stored result of every finished side-effecting command, so a command re-delivered after a
 *   lost acknowledgement returns the same result and creates nothing new;
 * - the progress of a command that is half done (folder created, form created, ...), so a crash
 *   mid-command and a re-delivery pick up where the first run stopped;
 * - which commands an execution is running right now, so a concurrent execution that claims the
 *   same command (its lease lapsed during a slow call) leaves it alone instead of running it twice.
 * Results are pruned oldest-first; the backend never re-delivers a command days later.
 */

const DONE = 'cmd:done:';
const PROGRESS = 'cmd:progress:';
const RUNNING = 'cmd:running:';
const HANDOVER = 'cmd:handover:';

interface DoneEntry {
  at: number;
  type: string;
  result: unknown;
}

interface RunningEntry {
  /** The latest moment the running execution can still be alive (Google ends every execution after 6 minutes). */
  until: number;
}

/** Runs fn while holding a lock shared by all of this user's executions (LockService.getUserLock in Apps Script). */
export type Exclusive = <T>(fn: () => T) => T;

export class CommandLedger {
  constructor(
    private readonly store: JsonStore,
    private readonly now: () => number = () => Date.now(),
    private readonly maxResults = 100,
    private readonly exclusive: Exclusive = (fn) => fn(),
  ) {}

  /**
   * Before running a command: 'started' marks it as running here until `untilMs`; 'running_elsewhere'
   * means a live execution is running it (we claimed it because its lease lapsed meanwhile), so we
   * must not run it again. Then our lease token, now the current one, is left for that execution to
   * renew and complete with (takeHandover). Check and mark happen under the user lock.
   */
  beginRun(commandId: string, leaseToken: string, untilMs: number): 'started' | 'running_elsewhere' {
    return this.exclusive(() => {
      const running = this.store.get<RunningEntry>(RUNNING + commandId);
      if (running && running.until > this.now()) {
        this.store.set(HANDOVER + commandId, leaseToken);
        return 'running_elsewhere';
      }
      this.store.set(RUNNING + commandId, { until: untilMs } satisfies RunningEntry);
      return 'started';
    });
  }

  /** The newer lease token a concurrent execution left for the running one (taken once). */
  takeHandover(commandId: string): string | undefined {
    return this.exclusive(() => {
      const token = this.store.get<string>(HANDOVER + commandId);
      if (token !== undefined) this.store.delete(HANDOVER + commandId);
      return token;
    });
  }

  endRun(commandId: string): void {
    this.exclusive(() => {
      this.store.delete(RUNNING + commandId);
      this.store.delete(HANDOVER + commandId);
    });
  }

  storedResult(commandId: string): { type: string; result: unknown } | undefined {
    const entry = this.store.get<DoneEntry>(DONE + commandId);
    return entry ? { type: entry.type, result: entry.result } : undefined;
  }

  recordResult(commandId: string, type: string, result: unknown): void {
    this.store.set(DONE + commandId, { at: this.now(), type, result } satisfies DoneEntry);
    this.store.delete(PROGRESS + commandId);
    this.prune();
  }

  progress<T extends object>(commandId: string): Partial<T> {
    return this.store.get<Partial<T>>(PROGRESS + commandId) ?? {};
  }

  saveProgress<T extends object>(commandId: string, progress: Partial<T>): void {
    this.store.set(PROGRESS + commandId, progress);
  }

  /** Drop the oldest results beyond maxResults (one getProperties call when under the cap). */
  private prune(): void {
    const entries = this.store.entries(DONE);
    if (entries.length <= this.maxResults) return;
    const dated = entries.map(([key]) => ({ key, at: this.store.get<DoneEntry>(key)?.at ?? 0 }));
    dated.sort((a, b) => a.at - b.at);
    for (const { key } of dated.slice(0, dated.length - this.maxResults)) this.store.delete(key);
  }
}
