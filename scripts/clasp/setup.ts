/**
 * `npm run clasp:setup -- --target dev|prod (--create [--title T] | --script-id ID)`
 * writes `.clasp-<target>.json` for a new Apps Script project (created with `clasp create` in an
 * empty temporary folder: clasp 3 refuses to create when any `.clasp.json` is in reach) or for an
 * existing one. Refuses to overwrite an existing target file unless `--force`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ClaspProjectFile, parseFlags, projectFileFor, ROOT, runClasp, runCli, ScriptId, Target, targetFile } from './targets';

const Flags = z
  .object({
    target: Target,
    create: z.boolean().default(false),
    title: z.string().trim().min(1).max(200).optional(),
    'script-id': ScriptId.optional(),
    force: z.boolean().default(false),
  })
  .refine((f) => f.create !== Boolean(f['script-id']), { error: 'give exactly one of --create or --script-id <id>' });

async function createScript(title: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'presgen-clasp-create-'));
  try {
    runClasp(['create', '--type', 'standalone', '--title', title], dir);
    const created = ClaspProjectFile.safeParse(JSON.parse(await readFile(join(dir, '.clasp.json'), 'utf8')));
    if (!created.success) throw new Error('clasp create did not write a project file with a script id');
    return created.data.scriptId;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string' },
      create: { type: 'boolean' },
      title: { type: 'string' },
      'script-id': { type: 'string' },
      force: { type: 'boolean' },
    },
  });
  const flags = parseFlags(Flags, values);
  const file = targetFile(flags.target);
  if (existsSync(file) && !flags.force) throw new Error(`${relative(ROOT, file)} already exists; pass --force to replace it`);
  const scriptId = flags['script-id'] ?? (await createScript(flags.title ?? `PresGen-Assess (${flags.target})`));
  await writeFile(file, `${JSON.stringify(projectFileFor(scriptId), null, 2)}\n`);
  process.stdout.write(
    `clasp: ${relative(ROOT, file)} → script ${scriptId}; push with BACKEND_URL=https://… npm run push -- --target ${flags.target}\n`,
  );
}

runCli('clasp:setup', main);
