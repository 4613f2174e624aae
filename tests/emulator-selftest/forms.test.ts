import { afterAll, describe, expect, it } from 'vitest';
import { fixtureEmulator, removeFixtureBundles } from './helpers';

afterAll(removeFixtureBundles);

interface QuizInfo {
  formId: string;
  editUrl: string;
  responderUrl: string;
  publishedBefore: boolean;
  destinationId: string;
  itemIds: number[];
}

interface SeenSubmission {
  authMode: string;
  triggerUid: string;
  values: string[];
  namedValues: Record<string, string[]>;
  sheetName: string;
  formUrl: string;
  row: number;
  sourceId: string;
  timestampIsDate: boolean;
}

describe('FormApp and form submissions', () => {
  it('creates an unpublished quiz, publishes it and routes responses to a new tab of the active spreadsheet', () => {
    const emulator = fixtureEmulator();
    const quiz = emulator.run('createQuiz', 'Cloud Practitioner check') as QuizInfo;
    const form = emulator.state.forms.get(quiz.formId)!;
    expect(quiz.publishedBefore).toBe(false);
    expect(form).toMatchObject({ title: 'Cloud Practitioner check', isQuiz: true, published: true, collectEmail: true });
    expect(quiz.destinationId).toBe(emulator.activeSpreadsheetId);
    expect(quiz.editUrl).toBe(`https://docs.google.com/forms/d/${quiz.formId}/edit`);
    expect(quiz.responderUrl).toMatch(/^https:\/\/docs\.google\.com\/forms\/d\/e\/[\w-]+\/viewform$/);
    expect(form.items.map((i) => [i.title, i.points, i.choices.filter((c) => c.isCorrect).map((c) => c.value)])).toEqual([
      ['2 + 2 = ?', 2, ['4']],
      ['Capital of France?', 1, ['Paris']],
    ]);
    const sheets = emulator.state.spreadsheets.get(emulator.activeSpreadsheetId)!.sheets;
    expect(sheets.map((s) => s.name)).toEqual(['Form Responses 1', 'Sheet1']);
    expect(sheets[0].formId).toBe(quiz.formId);
    expect(sheets[0].values[0]).toEqual(['Timestamp', 'Email Address', 'Score', '2 + 2 = ?', 'Capital of France?']);
    expect(emulator.state.driveItems.get(quiz.formId)?.mimeType).toBe('application/vnd.google-apps.form');
    expect(emulator.callCounts()['FormApp.create']).toBe(1);
  });

  it('a submission lands in the destination tab and fires the spreadsheet onFormSubmit trigger with Google-shaped event', () => {
    const emulator = fixtureEmulator();
    const quiz = emulator.run('createQuiz', 'Quiz') as QuizInfo;
    const uid = emulator.run('installFormSubmitTrigger') as string;
    const results = emulator.fireFormSubmit(quiz.formId, { '2 + 2 = ?': '4', [String(quiz.itemIds[1])]: 'Lyon' }, 'learner@example.com');
    expect(results).toEqual([{ triggerUid: uid, handlerFunction: 'onFormSubmit', ok: true, result: undefined }]);

    const tab = emulator.state.spreadsheets.get(emulator.activeSpreadsheetId)!.sheets[0];
    expect(tab.values).toHaveLength(2);
    expect(tab.values[1].slice(1)).toEqual(['learner@example.com', '2 / 3', '4', 'Lyon']);
    expect(tab.values[1][0]).toBeInstanceOf(Date);

    const seen = JSON.parse(emulator.state.properties.script.get('submissions')!) as SeenSubmission[];
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      authMode: 'FULL',
      triggerUid: uid,
      sheetName: 'Form Responses 1',
      formUrl: quiz.editUrl,
      row: 2,
      sourceId: emulator.activeSpreadsheetId,
      timestampIsDate: true,
    });
    expect(seen[0].values.slice(1)).toEqual(['learner@example.com', '2 / 3', '4', 'Lyon']);
    expect(seen[0].values[0]).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2}$/);
    expect(seen[0].namedValues['Capital of France?']).toEqual(['Lyon']);

    const response = emulator.state.forms.get(quiz.formId)!.responses[0];
    expect(response.respondentEmail).toBe('learner@example.com');
    expect(emulator.state.executions.at(-1)).toMatchObject({ functionName: 'onFormSubmit', kind: 'trigger', ok: true, triggerUid: uid });
  });

  it('a second submission appends below the first and runs the trigger again', () => {
    const emulator = fixtureEmulator();
    const quiz = emulator.run('createQuiz', 'Quiz') as QuizInfo;
    emulator.run('installFormSubmitTrigger');
    emulator.fireFormSubmit(quiz.formId, { '2 + 2 = ?': '4' }, 'a@example.com');
    emulator.fireFormSubmit(quiz.formId, { '2 + 2 = ?': '3' }, 'b@example.com');
    const seen = JSON.parse(emulator.state.properties.script.get('submissions')!) as SeenSubmission[];
    expect(seen.map((s) => s.row)).toEqual([2, 3]);
    expect(emulator.state.forms.get(quiz.formId)!.responses.map((r) => r.respondentEmail)).toEqual(['a@example.com', 'b@example.com']);
  });

  it('refuses submissions to unpublished forms, unknown choices and missing required answers', () => {
    const emulator = fixtureEmulator();
    const unpublishedId = emulator.run('createUnpublishedForm', 'Draft') as string;
    expect(() => emulator.fireFormSubmit(unpublishedId, { Q: 'a' }, 'l@example.com')).toThrow(/not published/);
    const quiz = emulator.run('createQuiz', 'Quiz') as QuizInfo;
    expect(() => emulator.fireFormSubmit(quiz.formId, { '2 + 2 = ?': '5' }, 'l@example.com')).toThrow(/not a choice/);
    expect(() => emulator.fireFormSubmit(quiz.formId, { 'Capital of France?': 'Paris' }, 'l@example.com')).toThrow(/required/);
    expect(emulator.state.forms.get(quiz.formId)!.responses).toHaveLength(0);
  });

  it('a failing trigger is reported, not thrown at the learner', () => {
    const emulator = fixtureEmulator();
    const quiz = emulator.run('createQuiz', 'Quiz') as QuizInfo;
    emulator.run('installFormSubmitTrigger');
    const release = emulator.holdLockElsewhere('document');
    const [result] = emulator.fireFormSubmit(quiz.formId, { '2 + 2 = ?': '4' }, 'l@example.com');
    release();
    expect(result).toMatchObject({ ok: false, error: 'Lock timeout: another process was holding the lock for too long.' });
    expect(emulator.state.spreadsheets.get(emulator.activeSpreadsheetId)!.sheets[0].values).toHaveLength(2);
  });

  it("someone else's form linked to the user's spreadsheet feeds its response tab, but the user cannot open it", () => {
    const emulator = fixtureEmulator();
    const formId = emulator.linkForeignForm(emulator.activeSpreadsheetId, 'colleague@elsewhere.example', ['Coffee?']);
    expect(() => emulator.run('openFormTitle', formId)).toThrow(/No item with the given ID could be found|permission/);
    const tab = emulator.state.spreadsheets.get(emulator.activeSpreadsheetId)!.sheets.find((s) => s.formId === formId);
    expect(tab?.name).toMatch(/^Form Responses \d+$/);
    expect(emulator.fireFormSubmit(formId, { 'Coffee?': 'Yes' }, '')).toEqual([]); // no trigger installed yet
    expect(tab!.values).toHaveLength(2);
  });
});
