import type { JsonStore } from './json-store';

/**
 * What this instructor's add-on has already done, keyed by command id:
 * - the stored result of every finished side-effecting command, so a command re-delivered after a
 *   lost acknowledgement returns the same result and creates nothing new;
 * - the progress of a command that is half done (folder created, form created, ...), so a crash
 *   mid-command and a re-delivery pick up where the first run stopped.
 * Results are pruned oldest-first; the backend never re-delivers a command days later.
 */

const DONE = 'cmd:done:';
const PROGRESS = 'cmd:progress:';

interface DoneEntry {
  at: number;
  type: string;
  result: unknown;
}

export class CommandLedger {
  constructor(
    private readonly store: JsonStore,
    private readonly now: () => number = () => Date.now(),
    private readonly maxResults = 100,
  ) {}

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
