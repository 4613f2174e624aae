import type { QuizItem } from '../../shared/contracts/commands';
import type { QuotaGuard } from '../quota';

/** FormApp behind one small interface; every call goes through the quota guard. */
export class GoogleFormsClient {
  constructor(private readonly quota: QuotaGuard) {}

  /**
   * A quiz that collects respondent emails: verified (the signed-in Google account) where the
   * platform offers the collection type, else the older collect-email switch. Responses can still
   * come without an email; they are routed by form, never dropped (submission-mapping.ts).
   * Forms start unpublished: see publishForm.
   */
  createForm(title: string, description: string): GoogleAppsScript.Forms.Form {
    const form = this.quota.call('FormApp.create', () => FormApp.create(title));
    this.quota.call('Form.setDescription', () => form.setDescription(description));
    this.quota.call('Form.setIsQuiz', () => form.setIsQuiz(true));
    const verified = FormApp.EmailCollectionType?.VERIFIED;
    if (verified && typeof form.setEmailCollectionType === 'function') {
      this.quota.call('Form.setEmailCollectionType', () => form.setEmailCollectionType!(verified));
    } else {
      this.quota.call('Form.setCollectEmail', () => form.setCollectEmail(true));
    }
    return form;
  }

  openForm(id: string): GoogleAppsScript.Forms.Form {
    return this.quota.call('FormApp.openById', () => FormApp.openById(id));
  }

  openFormByUrl(url: string): GoogleAppsScript.Forms.Form {
    return this.quota.call('FormApp.openByUrl', () => FormApp.openByUrl(url));
  }

  /**
   * Make the form hold exactly `items`, in order, and return their form item ids. Items already
   * there (a previous run that crashed half way) are kept when their titles match, so a resumed
   * run adds only the missing ones. `afterEachItem` runs after each added item (lease keep-alive).
   */
  ensureQuizItems(form: GoogleAppsScript.Forms.Form, items: QuizItem[], afterEachItem: () => void = () => undefined): string[] {
    const existing = this.quota.call('Form.getItems', () => form.getItems());
    if (existing.length > items.length) throw new Error(`form already has ${existing.length} items, expected ${items.length}`);
    existing.forEach((item, i) => {
      if (item.getTitle() !== items[i].title) throw new Error(`form item ${i + 1} does not match question ${items[i].questionId}`);
    });
    const ids = existing.map((item) => String(item.getId()));
    // Items are added one after the other, so only the last existing one can be half configured
    // (an execution killed between addMultipleChoiceItem and setRequired): configure it again.
    const last = existing.length - 1;
    if (last >= 0) this.configureItem(existing[last].asMultipleChoiceItem(), items[last]);
    for (const quizItem of items.slice(existing.length)) {
      const item = this.quota.call('Form.addMultipleChoiceItem', () => form.addMultipleChoiceItem());
      this.configureItem(item, quizItem);
      ids.push(String(item.getId()));
      afterEachItem();
    }
    return ids;
  }

  /** Send responses to a spreadsheet (one response tab per form). Skipped when already set. */
  setDestination(form: GoogleAppsScript.Forms.Form, spreadsheetId: string): void {
    let current: string | null = null;
    try {
      current = form.getDestinationId();
    } catch {
      // Google throws when a form has no destination yet.
    }
    if (current === spreadsheetId) return;
    this.quota.call('Form.setDestination', () => form.setDestination(FormApp.DestinationType.SPREADSHEET, spreadsheetId));
  }

  /** Forms created since 2026 start unpublished and refuse submissions until published. */
  publishForm(form: GoogleAppsScript.Forms.Form): boolean {
    if (!form.isPublished()) this.quota.call('Form.setPublished', () => form.setPublished(true));
    return form.isPublished();
  }

  responses(form: GoogleAppsScript.Forms.Form): GoogleAppsScript.Forms.FormResponse[] {
    return this.quota.call('Form.getResponses', () => form.getResponses());
  }

  /** Title, choices with the answer key, points, required: all idempotent setters. */
  private configureItem(item: GoogleAppsScript.Forms.MultipleChoiceItem, quizItem: QuizItem): void {
    this.quota.call('MultipleChoiceItem.setTitle', () => item.setTitle(quizItem.title));
    const choices = quizItem.choices.map((choice, i) => item.createChoice(choice, i === quizItem.correctIndex));
    this.quota.call('MultipleChoiceItem.setChoices', () => item.setChoices(choices));
    this.quota.call('MultipleChoiceItem.setPoints', () => item.setPoints(quizItem.points));
    this.quota.call('MultipleChoiceItem.setRequired', () => item.setRequired(true));
  }
}
