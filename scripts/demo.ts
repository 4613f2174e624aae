/**
 * `npm run demo`: one complete PresGen-Assess workflow on this machine, end to end.
 *
 *   backend (child process, embedded PGlite in memory, its own PresGen simulators)
 *   test identity provider (signs the ID tokens the backend verifies)
 *   the real Apps Script bundle, built for the backend's URL, in the Workspace emulator
 *   a simulated learner answering the form (--score=high|medium|low)
 *
 * Prints the step timeline and every deliverable link. Exits 0 only if the workflow is COMPLETED.
 */
import type { WorkflowDetail, WorkflowView } from '../shared/contracts/api';
import { startAddonStack, type AddonStack } from './demo/addon-stack';
import { DEMO_USAGE, DemoArgsError, parseDemoArgs, type DemoArgs } from './demo/cli-args';
import { atStatus, pumpUntil, WorkflowStuckError } from './demo/drive-workflow';
import { answersForForm, countCorrect } from './demo/form-answers';
import { formatLinks, formatTimeline } from './demo/report';
import { writeResultsHtml } from './demo/results-html';
import { resolve } from 'node:path';

const INSTRUCTOR = 'instructor@school.example';
const LEARNER = 'learner@school.example';
const CERTIFICATION = 'aws-saa-c03';

const say = (line = '') => process.stdout.write(`${line}\n`);

async function runDemo(args: DemoArgs, stack: AddonStack, deadline: number): Promise<WorkflowDetail> {
  const emulator = stack.newEmulator({ activeSpreadsheetName: 'Instructor workbook (demo)' });
  const sidebarPump = () => emulator.run('pumpNow');

  say('• The instructor opens the spreadsheet and the PresGen-Assess sidebar');
  emulator.openDocument();
  emulator.run('showSidebar');
  const started = emulator.run('startAssessment', {
    certificationId: CERTIFICATION,
    learnerEmail: LEARNER,
    courseCount: args.courses,
    slidesPerCourse: args.slides,
    avatarVideos: true,
    shareWithLearner: true,
    requestId: `demo-${Date.now()}`,
  }) as WorkflowView;
  say(`• Started workflow ${started.id} (${CERTIFICATION}, ${args.courses} course(s) of ${args.slides} slides)`);

  say('• The sidebar pumps Workspace commands: folder, quiz form and results spreadsheet are created');
  const awaiting = await pumpUntil({
    api: stack.api,
    workflowId: started.id,
    pump: sidebarPump,
    reached: atStatus('AWAITING_COMPLETION'),
    what: 'the assessment form',
    deadline,
  });
  const { formId } = awaiting.outputs.CREATING_GOOGLE_RESOURCES as { formId: string };
  const form = emulator.state.forms.get(formId);
  if (!form) throw new Error('the backend reports a form the add-on did not create');
  say(`  form "${form.title}" with ${form.items.length} questions: ${awaiting.links.formResponderUrl}`);

  const answers = answersForForm(form.items, args.score);
  say(`• The learner submits the form (score profile ${args.score}: ${countCorrect(form.items, answers)}/${form.items.length} right)`);
  const runs = emulator.fireFormSubmit(formId, answers, LEARNER);
  const failed = runs.filter((r) => !r.ok);
  if (runs.length !== 1 || failed.length)
    throw new Error(
      `the form-submit trigger did not run cleanly: ${failed.map((r) => r.error).join('; ') || `${runs.length} trigger runs`}`,
    );
  say('  the onFormSubmit trigger posted the response and pumped the analysis tabs');

  say('• Waiting for decks and videos (the open sidebar keeps pumping)');
  const wf = await pumpUntil({
    api: stack.api,
    workflowId: started.id,
    pump: sidebarPump,
    reached: atStatus('COMPLETED'),
    what: 'COMPLETED',
    deadline,
    pauseMs: 250,
  });
  const results = emulator.state.spreadsheets.get(
    (wf.outputs.CREATING_GOOGLE_RESOURCES as { resultsSpreadsheetId: string }).resultsSpreadsheetId,
  );
  printReport(wf, results);
  if (results) {
    const htmlPath = resolve(args.htmlDir, `results-${wf.id.slice(0, 8)}.html`);
    await writeResultsHtml(htmlPath, `PresGen-Assess results for ${LEARNER} (${CERTIFICATION})`, results);
    say(`Results spreadsheet as a web page (every tab and the Gap_Analysis chart): ${htmlPath}`);
  }
  return wf;
}

function printReport(wf: WorkflowDetail, resultsSheet: Parameters<typeof formatLinks>[1]): void {
  say();
  say(`Workflow ${wf.id}: ${wf.status}`);
  say();
  say('Step timeline');
  for (const line of formatTimeline(wf)) say(line);
  say();
  say('Deliverables');
  for (const line of formatLinks(wf, resultsSheet)) say(line);
  say();
}

/** The backend's warnings and errors, for a failed run (its info lines stay hidden). */
function backendProblems(stack: AddonStack | undefined): string[] {
  const lines = (stack?.backend.output() ?? '').split('\n').filter((l) => /"level":(40|50|60)/.test(l));
  return lines.slice(-10).map((l) => {
    try {
      const entry = JSON.parse(l) as { msg?: string; err?: { message?: string } };
      return `  backend: ${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`;
    } catch {
      return `  backend: ${l.slice(0, 200)}`;
    }
  });
}

async function main(): Promise<number> {
  let args: DemoArgs;
  try {
    args = parseDemoArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof DemoArgsError)) throw err;
    process.stderr.write(`demo: invalid arguments\n${err.message}\n\n${DEMO_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    say(DEMO_USAGE);
    return 0;
  }

  const deadline = Date.now() + args.timeout * 1_000;
  let stack: AddonStack | undefined;
  const stop = () => {
    void stack?.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    say('PresGen-Assess demo: backend on embedded PGlite, PresGen simulators, the add-on in the Workspace emulator');
    stack = await startAddonStack({ instructorEmail: INSTRUCTOR });
    say(`• Backend listening at ${stack.backend.url}; add-on built for it (urlFetchWhitelist ${stack.addonUrl}/)`);
    const wf = await runDemo(args, stack, deadline);
    say(`COMPLETED: ${wf.links.presentations.length} deck(s) and ${wf.links.videos.length} video(s) ready.`);
    return 0;
  } catch (err) {
    process.stderr.write(`\ndemo FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof WorkflowStuckError && err.workflow) process.stderr.write(`${formatTimeline(err.workflow).join('\n')}\n`);
    const problems = backendProblems(stack);
    if (problems.length) process.stderr.write(`${problems.join('\n')}\n`);
    return 1;
  } finally {
    await stack?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
