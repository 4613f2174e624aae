import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ScoreProfile } from './form-answers';

/** `npm run demo -- --score=low --courses=3`: the demo's command line, validated. */

export const DemoArgs = z.object({
  score: ScoreProfile.default('medium'),
  courses: z.coerce.number().int().min(1).max(5).default(2),
  slides: z.coerce.number().int().min(1).max(40).default(5),
  /** Whole run, in seconds. */
  timeout: z.coerce.number().int().min(10).max(600).default(90),
  /** Where the results spreadsheet is written as a web page. */
  htmlDir: z.string().min(1).max(500).default('dist/demo'),
  help: z.boolean().default(false),
});
export type DemoArgs = z.infer<typeof DemoArgs>;

export const DEMO_USAGE = `Usage: npm run demo -- [--score=high|medium|low] [--courses=1-5] [--slides=1-40] [--timeout=seconds] [--html-dir=dist/demo]

Runs one complete PresGen-Assess workflow on this machine: the backend on embedded PGlite with the
PresGen simulators, the real Apps Script add-on in the Workspace emulator, and a simulated learner
who answers the assessment form with the chosen score profile (default medium). Writes the results
spreadsheet (every tab and the Gap_Analysis chart) to an HTML file and prints its path.`;

export class DemoArgsError extends Error {}

export function parseDemoArgs(argv: string[]): DemoArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        score: { type: 'string' },
        courses: { type: 'string' },
        slides: { type: 'string' },
        timeout: { type: 'string' },
        'html-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new DemoArgsError(err instanceof Error ? err.message : String(err));
  }
  const { 'html-dir': htmlDir, ...rest } = values;
  const parsed = DemoArgs.safeParse({ ...rest, htmlDir });
  if (!parsed.success) {
    throw new DemoArgsError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}
