/**
 * Builds the Apps Script add-on into one folder clasp can push (`.clasp.json` rootDir):
 *   Code.js        apps-script/main.ts bundled by esbuild as an IIFE assigned to `PresGenAddon`,
 *                  plus one top-level `function name(){}` per export of main.ts — Apps Script,
 *                  triggers and google.script.run only see top-level function declarations;
 *   appsscript.json the root manifest with urlFetchWhitelist = [BACKEND_URL + '/'];
 *   Sidebar.html   the sidebar page.
 *
 * The backend URL is build-time configuration: Google only lets an add-on fetch URLs listed in its
 * manifest, so the URL baked into the code and the whitelist come from the same value.
 *
 * CLI: BACKEND_URL=https://assess.example.com tsx scripts/build-apps-script.ts [outDir]
 * Without BACKEND_URL the bundle points at UNSET_BACKEND_URL and cannot be pushed (scripts/push-apps-script.ts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { z } from 'zod';
import { STATUS_LABELS, STEP_STATUSES } from '../shared/workflow-status';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const GLOBAL_NAME = 'PresGenAddon';
/**
 * What a build without BACKEND_URL points at (`npm run build` in CI). `.invalid` can never resolve,
 * and `npm run push` refuses a bundle whose whitelist holds it: an unpushable build, not a default.
 */
export const UNSET_BACKEND_URL = 'https://backend-url-not-set.invalid';
export const DEFAULT_OUT_DIR = 'dist/apps-script';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https anywhere; http only on loopback (local demo and tests). No query, no fragment. */
export const BackendUrl = z
  .string({ error: 'BACKEND_URL is required' })
  .trim()
  .pipe(z.url({ error: 'BACKEND_URL must be an absolute URL, e.g. https://assess.example.com' }))
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return; // already reported by z.url()
    }
    if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
      ctx.addIssue({
        code: 'custom',
        message: `BACKEND_URL must use https (http is only allowed for 127.0.0.1/localhost), got ${url.origin}`,
      });
    } else if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: `BACKEND_URL must use https, got ${url.protocol}` });
    }
    if (url.search || url.hash) ctx.addIssue({ code: 'custom', message: 'BACKEND_URL must not have a query string or fragment' });
    if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'BACKEND_URL must not contain credentials' });
  })
  .transform((value) => value.replace(/\/+$/, ''));

/** The parts of the root manifest the build relies on; everything else is copied as is. */
const ManifestSource = z
  .object({
    timeZone: z.string().min(1),
    runtimeVersion: z.literal('V8'),
    oauthScopes: z.array(z.string().min(1)).min(1),
  })
  .passthrough();

export interface BuildOptions {
  backendUrl: string;
  outDir: string;
}

export async function buildAppsScript(opts: BuildOptions): Promise<void> {
  const parsedUrl = BackendUrl.safeParse(opts.backendUrl);
  if (!parsedUrl.success) throw new Error(parsedUrl.error.issues.map((i) => i.message).join('; '));
  const backendUrl = parsedUrl.data;
  const outDir = resolve(opts.outDir);
  await mkdir(outDir, { recursive: true });

  const [entryPoints, bundle] = await Promise.all([listEntryPoints(), bundleIife(backendUrl)]);
  const code = `${bundle}\n${entryPointWrappers(entryPoints)}`;
  if (/^\s*export\s/m.test(code)) throw new Error('the Apps Script bundle still contains an export statement');
  await writeFile(join(outDir, 'Code.js'), code);

  const manifest = ManifestSource.parse(JSON.parse(await readFile(join(ROOT, 'appsscript.json'), 'utf8')));
  const built = { ...manifest, urlFetchWhitelist: [`${backendUrl}/`] };
  await writeFile(join(outDir, 'appsscript.json'), `${JSON.stringify(built, null, 2)}\n`);
  const sidebar = await readFile(join(ROOT, 'apps-script', 'sidebar', 'Sidebar.html'), 'utf8');
  await writeFile(join(outDir, 'Sidebar.html'), withStepDefinitions(sidebar));
}

/** The sidebar's step list and labels come from the one definition in shared/, not a copy. */
export function withStepDefinitions(html: string): string {
  const fills: Record<string, unknown> = { STEP_STATUSES, STATUS_LABELS };
  let out = html;
  for (const [name, value] of Object.entries(fills)) {
    const marker = new RegExp(`/\\*@${name}@\\*/(\\[\\]|\\{\\})`);
    if (!marker.test(out)) throw new Error(`Sidebar.html has no /*@${name}@*/ marker`);
    out = out.replace(marker, () => JSON.stringify(value));
  }
  return out;
}

/** The exports of main.ts, read from esbuild's metafile so the wrapper list cannot drift. */
async function listEntryPoints(): Promise<string[]> {
  const result = await esbuild.build({ ...commonOptions('https://unused.invalid'), format: 'esm', write: false, metafile: true });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
  if (!output || output.exports.length === 0) throw new Error('apps-script/main.ts exports no entry points');
  return [...output.exports].sort();
}

async function bundleIife(backendUrl: string): Promise<string> {
  const result = await esbuild.build({ ...commonOptions(backendUrl), format: 'iife', globalName: GLOBAL_NAME, write: false });
  return result.outputFiles[0].text;
}

function commonOptions(backendUrl: string): esbuild.BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: ['apps-script/main.ts'],
    tsconfig: 'apps-script/tsconfig.json',
    bundle: true,
    // Apps Script is neither Node nor a browser: no node builtins, no DOM.
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2020',
    define: { __BACKEND_URL__: JSON.stringify(backendUrl) },
    // Smaller file, same names: Apps Script stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'silent',
  };
}

/** `function name() { return PresGenAddon.name.apply(this, arguments); }` for each entry point. */
export function entryPointWrappers(names: string[]): string {
  return names
    .map((name) => {
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new Error(`entry point name is not a valid identifier: ${name}`);
      return `function ${name}() {\n  return ${GLOBAL_NAME}.${name}.apply(this, arguments);\n}`;
    })
    .join('\n');
}

/** The backend URL a built bundle points at, read back from its manifest (the whitelist is built from it). */
export async function builtBackendUrl(outDir: string): Promise<string | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(resolve(outDir), 'appsscript.json'), 'utf8')) as { urlFetchWhitelist?: unknown };
    const first = Array.isArray(manifest.urlFetchWhitelist) ? manifest.urlFetchWhitelist[0] : undefined;
    return typeof first === 'string' ? first.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const backendUrl = process.env.BACKEND_URL || UNSET_BACKEND_URL;
  const outDir = process.argv[2] || process.env.APPS_SCRIPT_OUT_DIR || DEFAULT_OUT_DIR;
  await buildAppsScript({ backendUrl, outDir });
  process.stdout.write(`apps-script: built ${outDir} for ${BackendUrl.parse(backendUrl)}\n`);
  if (!process.env.BACKEND_URL) {
    process.stdout.write('apps-script: BACKEND_URL is not set, so this bundle is for tests only; npm run push will refuse it\n');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`apps-script build failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
