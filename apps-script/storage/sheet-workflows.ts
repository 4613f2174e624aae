import type { JsonStore } from './json-store';

/**
 * Which open workflows each spreadsheet has (spreadsheet id → workflow ids), for the trigger budget:
 * a spreadsheet keeps its form-submit trigger only while it has an open workflow. Workflows are
 * forgotten when they finish, so the record stays small (user properties hold 500 KB in all).
 */

const KEY = 'sheets:open-workflows';

export class SheetWorkflows {
  constructor(private readonly store: JsonStore) {}

  all(): Record<string, string[]> {
    return this.store.get<Record<string, string[]>>(KEY) ?? {};
  }

  record(spreadsheetId: string, workflowId: string): void {
    const all = this.all();
    const ids = all[spreadsheetId] ?? [];
    if (ids.includes(workflowId)) return;
    all[spreadsheetId] = [...ids, workflowId];
    this.store.set(KEY, all);
  }

  /** Forget finished workflows; true when something changed. */
  forget(finishedIds: ReadonlySet<string>): boolean {
    if (finishedIds.size === 0) return false;
    const all = this.all();
    let changed = false;
    for (const [spreadsheetId, ids] of Object.entries(all)) {
      const open = ids.filter((id) => !finishedIds.has(id));
      if (open.length === ids.length) continue;
      changed = true;
      if (open.length) all[spreadsheetId] = open;
      else delete all[spreadsheetId];
    }
    if (changed) this.store.set(KEY, all);
    return changed;
  }

  spreadsheetsWithOpenWorkflows(): Set<string> {
    return new Set(Object.keys(this.all()));
  }

  workflowIds(): string[] {
    return Object.values(this.all()).flat();
  }
}
