import { afterAll, describe, expect, it } from 'vitest';
import { MAX_TRIGGERS_PER_USER, TRIGGER_ERRORS } from '../workspace-emulator';
import { fixtureEmulator, removeFixtureBundles } from './helpers';

afterAll(removeFixtureBundles);

describe('trigger rules for an editor add-on', () => {
  it('installs one spreadsheet onFormSubmit trigger on the current document', () => {
    const emulator = fixtureEmulator();
    const uid = emulator.run('installFormSubmitTrigger') as string;
    expect(emulator.run('listTriggers')).toEqual([
      { uid, handler: 'onFormSubmit', type: 'ON_FORM_SUBMIT', sourceId: emulator.activeSpreadsheetId },
    ]);
  });

  it('refuses a trigger on a form, as Google does for an add-on running in a spreadsheet', () => {
    const emulator = fixtureEmulator();
    const formId = (emulator.run('createQuiz', 'Quiz') as { formId: string }).formId;
    expect(() => emulator.run('installTrigger', 'form', formId)).toThrow(TRIGGER_ERRORS.otherDocument);
    expect(emulator.state.triggers).toHaveLength(0);
  });

  it('refuses a trigger on another document', () => {
    const emulator = fixtureEmulator();
    const other = emulator.createSpreadsheet('Someone else');
    expect(() => emulator.run('installTrigger', 'spreadsheet', other)).toThrow(TRIGGER_ERRORS.otherDocument);
    expect(emulator.run('installTrigger', 'spreadsheet', emulator.activeSpreadsheetId)).toMatch(/^\d+$/);
  });

  it('allows one trigger of each type per document', () => {
    const emulator = fixtureEmulator();
    emulator.run('installFormSubmitTrigger');
    expect(() => emulator.run('installFormSubmitTrigger')).toThrow(TRIGGER_ERRORS.duplicate('ON_FORM_SUBMIT'));
    emulator.run('installTrigger', 'onOpen');
    expect(emulator.state.triggers.map((t) => t.eventType).sort()).toEqual(['ON_FORM_SUBMIT', 'ON_OPEN']);
  });

  it('allows time-driven triggers at most hourly', () => {
    const emulator = fixtureEmulator();
    expect(() => emulator.run('installTrigger', 'minutes', 30)).toThrow(TRIGGER_ERRORS.tooFrequent);
    expect(() => emulator.run('installTrigger', 'hours', 0.5)).toThrow(TRIGGER_ERRORS.tooFrequent);
    expect(() => emulator.run('installTrigger', 'after', 10 * 60 * 1000)).toThrow(TRIGGER_ERRORS.tooFrequent);
    emulator.run('installTrigger', 'hours', 1);
    expect(emulator.state.triggers).toMatchObject([{ eventType: 'CLOCK', everyHours: 1, triggerSourceId: null }]);
  });

  it(`refuses the ${MAX_TRIGGERS_PER_USER + 1}st trigger of a user`, () => {
    const emulator = fixtureEmulator();
    // One onFormSubmit trigger per document: the add-on installed in 20 spreadsheets.
    for (let i = 0; i < MAX_TRIGGERS_PER_USER; i++) {
      emulator.setActiveSpreadsheet(emulator.createSpreadsheet(`Workbook ${i}`));
      emulator.run('installFormSubmitTrigger');
    }
    emulator.setActiveSpreadsheet(emulator.createSpreadsheet('One too many'));
    expect(() => emulator.run('installFormSubmitTrigger')).toThrow(TRIGGER_ERRORS.tooMany);
    expect(emulator.state.triggers).toHaveLength(MAX_TRIGGERS_PER_USER);
    emulator.run('deleteAllTriggers');
    expect(emulator.state.triggers).toHaveLength(0);
  });

  it('fires time-driven triggers; one-shot after() triggers fire once', () => {
    const emulator = fixtureEmulator();
    emulator.run('installTrigger', 'hours', 1);
    expect(emulator.fireTimeDrivenTriggers()).toMatchObject([{ handlerFunction: 'pump', ok: true, result: 1 }]);
    expect(emulator.fireTimeDrivenTriggers()).toMatchObject([{ ok: true, result: 2 }]);
    emulator.run('deleteAllTriggers');
    emulator.run('installTrigger', 'after', 2 * 60 * 60 * 1000);
    expect(emulator.fireTimeDrivenTriggers()).toHaveLength(1);
    expect(emulator.fireTimeDrivenTriggers()).toHaveLength(0);
    expect(emulator.state.properties.script.get('pumps')).toBe('3');
  });

  it('in a test deployment, refuses every installable trigger and fires none', () => {
    const emulator = fixtureEmulator({ deployment: 'test' });
    expect(() => emulator.run('installFormSubmitTrigger')).toThrow(TRIGGER_ERRORS.testDeployment);
    expect(() => emulator.run('installTrigger', 'hours', 1)).toThrow(TRIGGER_ERRORS.testDeployment);
    expect(emulator.state.triggers).toHaveLength(0);
    // Even a trigger left over from an installed version does not run.
    emulator.state.triggers.push({
      uid: '1',
      handlerFunction: 'pump',
      eventType: 'CLOCK',
      triggerSource: 'CLOCK',
      triggerSourceId: null,
      user: 'instructor@example.com',
      everyHours: 1,
    });
    expect(emulator.fireTimeDrivenTriggers()).toEqual([expect.objectContaining({ ok: false, error: TRIGGER_ERRORS.testDeployment })]);
    expect(emulator.state.executions).toHaveLength(2);
  });

  it("keeps a user's triggers across spreadsheets and over time: the cap counts all of them", () => {
    const emulator = fixtureEmulator();
    const first = emulator.activeSpreadsheetId;
    emulator.run('installFormSubmitTrigger');
    for (let i = 0; i < 3; i++) {
      emulator.setActiveSpreadsheet(emulator.createSpreadsheet(`Workbook ${i}`));
      emulator.run('installFormSubmitTrigger');
    }
    emulator.setActiveSpreadsheet(first);
    expect(emulator.run('listTriggers')).toHaveLength(4);
    expect(new Set(emulator.state.triggers.map((t) => t.triggerSourceId)).size).toBe(4);
  });

  it('a time-driven trigger runs outside any document: no active spreadsheet, document lock or document properties', () => {
    const emulator = fixtureEmulator();
    emulator.run('documentProbe');
    expect(JSON.parse(emulator.state.properties.script.get('probe')!)).toEqual({
      activeSpreadsheet: 'present',
      documentLock: 'present',
      documentProperties: 'present',
    });
    emulator.run('installTrigger', 'hours', 1, 'documentProbe');
    expect(emulator.fireTimeDrivenTriggers()).toEqual([expect.objectContaining({ ok: true })]);
    expect(JSON.parse(emulator.state.properties.script.get('probe')!)).toEqual({
      activeSpreadsheet: 'null',
      documentLock: 'null',
      documentProperties: 'null',
    });
  });
});
