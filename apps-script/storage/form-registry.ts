import type { JsonStore } from './json-store';

/**
 * Forms this add-on created, by form id: which workflow each belongs to and which question each
 * form item stands for. Written when step 3 creates the form (before it is published), read by the
 * form-submit dispatcher and by read_responses.
 */

export interface FormRecord {
  workflowId: string;
  /** Form item id -> question id. */
  itemQuestionIds: Record<string, string>;
  /** Responses already delivered to the backend (dedupe for re-fired triggers). */
  postedResponseIds?: string[];
}

const PREFIX = 'form:';
/** A form normally gets one response; keep a bounded window for re-takes. */
const MAX_POSTED_IDS = 50;

export class FormRegistry {
  constructor(private readonly store: JsonStore) {}

  get(formId: string): FormRecord | undefined {
    return this.store.get<FormRecord>(PREFIX + formId);
  }

  register(formId: string, record: Omit<FormRecord, 'postedResponseIds'>): void {
    const existing = this.get(formId);
    this.store.set(PREFIX + formId, { ...record, postedResponseIds: existing?.postedResponseIds ?? [] });
  }

  formIds(): string[] {
    return this.store.entries(PREFIX).map(([key]) => key.slice(PREFIX.length));
  }

  /** Drop the records of finished workflows' forms (user properties hold 500 KB in all). Returns how many. */
  forgetWorkflows(workflowIds: ReadonlySet<string>): number {
    if (workflowIds.size === 0) return 0;
    let removed = 0;
    for (const formId of this.formIds()) {
      const record = this.get(formId);
      if (!record || !workflowIds.has(record.workflowId)) continue;
      this.store.delete(PREFIX + formId);
      removed++;
    }
    return removed;
  }

  markPosted(formId: string, responseIds: string[]): void {
    const record = this.get(formId);
    if (!record || responseIds.length === 0) return;
    const posted = [...(record.postedResponseIds ?? []), ...responseIds];
    this.store.set(PREFIX + formId, { ...record, postedResponseIds: posted.slice(-MAX_POSTED_IDS) });
  }
}
