/**
 * `BACKEND_URL=https://… npm run push -- --target dev|prod`: build the add-on for that backend, then
 * `clasp --project .clasp-<target>.json push --force`.
 *
 * A pushed bundle must never point at a placeholder: BACKEND_URL must be an https URL, or, when it
 * is unset, the bundle already in dist/ must have been built for a real https URL (then it is
 * rebuilt for that same URL, so code and whitelist come from the current source).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BackendUrl, buildAppsScript, builtBackendUrl, DEFAULT_OUT_DIR, UNSET_BACKEND_URL } from '../build-apps-script';
import { ClaspProjectFile, parseFlags, ROOT, runClasp, runCli, Target, targetFile } from './targets';

/** What Google accepts in a pushed whitelist: https, a real host (loopback http is for local tests only). */
export const PushableBackendUrl = BackendUrl.refine((url) => url.startsWith('https://'), {
  error: 'BACKEND_URL must be an https URL for a pushed add-on (Google only fetches https)',
}).refine((url) => !url.startsWith(UNSET_BACKEND_URL) && !/\.(invalid|example|test)(\/|:|$)/.test(new URL(url).host + '/'), {
  error: 'BACKEND_URL must be your real backend, not a placeholder host',
});

const Flags = z.object({ target: Target.default('dev') });

async function chooseBackendUrl(outDir: string): Promise<{ url: string; kept: boolean }> {
  const given = process.env.BACKEND_URL;
  if (given !== undefined && given !== '') {
    const parsed = PushableBackendUrl.safeParse(given);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
    return { url: parsed.data, kept: false };
  }
  const previous = await builtBackendUrl(outDir);
  if (previous && PushableBackendUrl.safeParse(previous).success) return { url: previous, kept: true };
  throw new Error(
    'BACKEND_URL is required: BACKEND_URL=https://your-backend npm run push -- --target dev (the bundle in dist/ was not built for a real backend)',
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { target: { type: 'string' } } });
  const { target } = parseFlags(Flags, values);
  const file = targetFile(target);
  if (!existsSync(file)) {
    throw new Error(
      `${relative(ROOT, file)} is missing: run npm run clasp:setup -- --target ${target} --create (or --script-id <id>) first`,
    );
  }
  const project = ClaspProjectFile.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!project.success)
    throw new Error(`${relative(ROOT, file)}: ${project.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const outDir = join(ROOT, project.data.rootDir ?? DEFAULT_OUT_DIR);

  const { url, kept } = await chooseBackendUrl(outDir);
  await buildAppsScript({ backendUrl: url, outDir });
  process.stdout.write(
    `push: built ${relative(ROOT, outDir)} for ${url}${kept ? ' (BACKEND_URL unset: kept from the previous build)' : ''}\n`,
  );
  runClasp(['--project', file, 'push', '--force'], ROOT);
  process.stdout.write(`push: pushed to the ${target} script ${project.data.scriptId}\n`);
}

runCli('push', main);
