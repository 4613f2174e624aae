import type { StepRunView, WorkflowDetail } from '../../shared/contracts/api';
import { STEP_STATUSES } from '../../shared/workflow-status';
import type { EmulatedSpreadsheet } from '../../tests/workspace-emulator';

/** What the demo prints at the end: the step timeline and every deliverable link, for a person. */

export function formatDuration(ms: number | null): string {
  if (ms === null) return '…';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

const pad = (text: string, width: number) => text.padEnd(width);

/**
 * One line per step: when it started (from the workflow's creation), how long it took from its
 * first run to its last (waits for the add-on or PresGen included), and how many runs that took
 * (a step parks while it waits and runs again when woken).
 */
export function formatTimeline(wf: WorkflowDetail): string[] {
  const origin = Date.parse(wf.createdAt);
  const lines = [`  ${pad('#', 3)}${pad('step', 28)}${pad('outcome', 11)}${pad('started', 10)}${pad('took', 10)}runs`];
  STEP_STATUSES.forEach((step, index) => {
    const runs = wf.steps.filter((r) => r.step === step).sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    if (runs.length === 0) return;
    const first = Date.parse(runs[0].startedAt);
    const last = runs.at(-1)!;
    const took = last.finishedAt ? Date.parse(last.finishedAt) - first : null;
    const attempts = Math.max(...runs.map((r) => r.attempt));
    const note = step === 'AWAITING_COMPLETION' ? '   (waiting for the learner)' : attempts > 1 ? `   (${attempts} attempts)` : '';
    lines.push(
      `  ${pad(String(index + 1), 3)}${pad(step, 28)}${pad(last.outcome, 11)}${pad(`+${formatDuration(first - origin)}`, 10)}${pad(formatDuration(took), 10)}${runs.length}${note}`,
    );
  });
  lines.push(`  total: ${formatDuration(Date.parse(wf.updatedAt) - origin)} from the request to ${wf.status}`);
  const submitted = stepEnd(wf.steps, 'AWAITING_COMPLETION');
  if (submitted !== undefined && wf.status === 'COMPLETED') {
    lines.push(`         ${formatDuration(Date.parse(wf.updatedAt) - submitted)} from the learner's submission to the deliverables`);
  }
  return lines;
}

function stepEnd(steps: StepRunView[], step: StepRunView['step']): number | undefined {
  const ends = steps.filter((r) => r.step === step && r.outcome === 'succeeded' && r.finishedAt).map((r) => Date.parse(r.finishedAt!));
  return ends.length ? Math.max(...ends) : undefined;
}

/** Every deliverable link; the results sheet's tabs come from the emulated spreadsheet (tab = #gid). */
export function formatLinks(wf: WorkflowDetail, resultsSheet: EmulatedSpreadsheet | undefined): string[] {
  const { links } = wf;
  const lines: string[] = [];
  const add = (label: string, url: string | undefined) => lines.push(`  ${pad(label, 26)}${url ?? '(none)'}`);
  add('Assessment form (learner)', links.formResponderUrl);
  add('Assessment form (edit)', links.formUrl);
  add('Drive folder', links.folderUrl);
  add('Results spreadsheet', links.resultsSpreadsheetUrl);
  const base = links.resultsSpreadsheetUrl?.replace(/#.*$/, '');
  for (const sheet of resultsSheet?.sheets ?? []) {
    if (!/^(Gap_Analysis|Training_Plan|Course_Outline_\d+|Deliverables)$/.test(sheet.name)) continue;
    add(`  tab ${sheet.name}`, base ? `${base}#gid=${sheet.sheetId}` : undefined);
  }
  for (const deck of links.presentations) add(`Deck, course ${deck.course}`, `${deck.url}   ${deck.title}`);
  for (const video of links.videos) add(`Video, course ${video.course}`, `${video.url}   ${video.title}`);
  return lines;
}
