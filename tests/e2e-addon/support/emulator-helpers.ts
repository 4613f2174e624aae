import type { WorkspaceEmulator } from '../../workspace-emulator';
import { answersForForm, type ScoreProfile } from '../../../scripts/demo/form-answers';

/** Reading the emulated Workspace the way a test needs it. */

export const START_FORM = {
  certificationId: 'aws-saa-c03',
  courseCount: 2,
  slidesPerCourse: 3,
  avatarVideos: true,
  shareWithLearner: true,
};

export function driveItemsNamed(emulator: WorkspaceEmulator, pattern: RegExp, mimeType?: string) {
  return [...emulator.state.driveItems.values()].filter(
    (d) => pattern.test(d.name) && (!mimeType || d.mimeType === mimeType) && !d.trashed,
  );
}

export function tabNames(emulator: WorkspaceEmulator, spreadsheetId: string): string[] {
  const spreadsheet = emulator.state.spreadsheets.get(spreadsheetId);
  if (!spreadsheet) throw new Error(`no spreadsheet ${spreadsheetId} in the emulator`);
  return spreadsheet.sheets.map((s) => s.name);
}

export function tabValues(emulator: WorkspaceEmulator, spreadsheetId: string, tabName: string) {
  return emulator.state.spreadsheets.get(spreadsheetId)?.sheets.find((s) => s.name === tabName)?.values;
}

/** The learner opens the form and answers it with a score profile; returns the trigger runs. */
export function learnerSubmits(emulator: WorkspaceEmulator, formId: string, profile: ScoreProfile, email: string) {
  const form = emulator.state.forms.get(formId);
  if (!form) throw new Error(`no form ${formId} in the emulator`);
  return emulator.fireFormSubmit(formId, answersForForm(form.items, profile), email);
}

export function countCalls(emulator: WorkspaceEmulator, name: string): number {
  return emulator.callCounts()[name] ?? 0;
}
