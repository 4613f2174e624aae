/**
 * The README's deploy steps, run literally on a fresh copy of the repository with clasp replaced by
 * a recorder (node_modules/.bin/clasp), must push a bundle that points at the given backend URL;
 * and no sequence may push a bundle built without a real BACKEND_URL.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(__dirname, '..', '..');
let work: string;
let clone: string;
let records: string;

interface Call {
  args: string[];
  cwd: string;
  pushed?: Record<string, string>;
}

/** Stands in for clasp: records each call; `create` writes a project file as clasp does; `push` snapshots rootDir. */
const RECORDER = String.raw`
const fs = require('fs'), path = require('path');
const dir = process.env.CLASP_RECORD_DIR;
const args = process.argv.slice(2);
const call = { args, cwd: process.cwd() };
const sub = args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '--project');
if (sub === 'create') {
  if (fs.existsSync(path.join(process.cwd(), '.clasp.json'))) { console.error('Project file already exists.'); process.exit(1); }
  fs.writeFileSync(path.join(process.cwd(), '.clasp.json'), JSON.stringify({ scriptId: 'recordedNewScriptId_0123456789abcdef', rootDir: '.' }));
}
if (sub === 'push') {
  const project = args[args.indexOf('--project') + 1];
  const config = JSON.parse(fs.readFileSync(project, 'utf8'));
  const root = path.resolve(path.dirname(project), config.rootDir);
  call.scriptId = config.scriptId;
  call.pushed = Object.fromEntries(fs.readdirSync(root).map((f) => [f, fs.readFileSync(path.join(root, f), 'utf8')]));
}
fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify(call) + '\n');
`;

/** A fresh clone: the files git tracks (or would track) in this worktree, nothing built, no clasp targets. */
function freshClone(into: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && existsSync(join(REPO, f)));
  for (const file of files) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(join(REPO, file), join(into, file));
  }
  // node_modules as after `npm ci`, except that node_modules/.bin/clasp is the recorder.
  const modules = join(into, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  for (const entry of readdirSync(join(REPO, 'node_modules'))) {
    if (entry !== '.bin') symlinkSync(join(REPO, 'node_modules', entry), join(modules, entry));
  }
  for (const bin of readdirSync(join(REPO, 'node_modules', '.bin'))) {
    if (bin === 'clasp') continue;
    symlinkSync(
      resolve(join(REPO, 'node_modules', '.bin'), readlinkSync(join(REPO, 'node_modules', '.bin', bin))),
      join(modules, '.bin', bin),
    );
  }
  writeFileSync(join(records, 'recorder.cjs'), RECORDER);
  writeFileSync(join(modules, '.bin', 'clasp'), `#!/bin/sh\nexec node ${JSON.stringify(join(records, 'recorder.cjs'))} "$@"\n`, {
    mode: 0o755,
  });
}

function sh(script: string, extraEnv: Record<string, string> = {}) {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), CLASP_RECORD_DIR: records, ...extraEnv };
  delete env.BACKEND_URL;
  if (extraEnv.BACKEND_URL) env.BACKEND_URL = extraEnv.BACKEND_URL;
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
  const result = spawnSync('bash', ['-e', '-c', script], { cwd: clone, env, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function calls(): Call[] {
  const file = join(records, 'calls.jsonl');
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Call)
    : [];
}
const pushes = () => calls().filter((c) => c.pushed);

function readmeDeploySteps(): string {
  const readme = readFileSync(join(clone, 'README.md'), 'utf8');
  const block = /<!-- deploy-steps[^>]*-->\s*```sh\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no deploy-steps block');
  return block[1];
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'presgen-deploy-'));
  clone = join(work, 'clone');
  records = join(work, 'records');
  mkdirSync(records, { recursive: true });
  freshClone(clone);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the README deploy steps on a fresh clone', { timeout: 180_000 }, () => {
  it('tracks a .clasp.json without a script id, and ignores the per-target files', () => {
    expect(JSON.parse(readFileSync(join(clone, '.clasp.json'), 'utf8'))).toEqual({ scriptId: '', rootDir: 'dist/apps-script' });
    expect(existsSync(join(clone, '.clasp-dev.json'))).toBe(false);
  });

  it('run literally: creates the dev script, records the existing prod id, pushes a bundle for the given URL', () => {
    const run = sh(readmeDeploySteps());
    expect(run.status, run.output).toBe(0);

    const create = calls().find((c) => c.args.includes('create'))!;
    expect(create.cwd).not.toBe(clone); // clasp 3 refuses `create` next to the tracked .clasp.json
    expect(JSON.parse(readFileSync(join(clone, '.clasp-dev.json'), 'utf8'))).toEqual({
      scriptId: 'recordedNewScriptId_0123456789abcdef',
      rootDir: 'dist/apps-script',
    });
    expect(JSON.parse(readFileSync(join(clone, '.clasp-prod.json'), 'utf8')).scriptId).toBe('1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789');

    const [push] = pushes();
    expect(push.args).toEqual(['--project', join(clone, '.clasp-dev.json'), 'push', '--force']);
    expect(Object.keys(push.pushed!).sort()).toEqual(['Code.js', 'Sidebar.html', 'appsscript.json']);
    expect(JSON.parse(push.pushed!['appsscript.json']).urlFetchWhitelist).toEqual(['https://presgen.example.org/']);
    expect(push.pushed!['Code.js']).toContain('"https://presgen.example.org"');
    expect(push.pushed!['Code.js']).not.toMatch(/backend-url-not-set|presgen-assess\.example\.com/);
  });

  it('without BACKEND_URL, push keeps the URL of the last real build', () => {
    const before = pushes().length;
    const run = sh('npm run push -- --target dev');
    expect(run.status, run.output).toBe(0);
    expect(pushes()).toHaveLength(before + 1);
    expect(JSON.parse(pushes().at(-1)!.pushed!['appsscript.json']).urlFetchWhitelist).toEqual(['https://presgen.example.org/']);
  });

  it('never pushes a bundle built without BACKEND_URL, nor an http or placeholder URL', () => {
    const before = pushes().length;
    const build = sh('npm run build:apps-script');
    expect(build.status, build.output).toBe(0);
    expect(build.output).toContain('npm run push will refuse it');

    const unset = sh('npm run push -- --target dev');
    expect(unset.status).not.toBe(0);
    expect(unset.output).toContain('BACKEND_URL is required');
    const http = sh('npm run push -- --target dev', { BACKEND_URL: 'http://127.0.0.1:8787' });
    expect(http.output).toContain('must be an https URL');
    const placeholder = sh('npm run push -- --target prod', { BACKEND_URL: 'https://backend-url-not-set.invalid' });
    expect(placeholder.output).toContain('not a placeholder');
    expect(pushes()).toHaveLength(before);
  });

  it('setup refuses to overwrite a target, and a push to a target never set up says how to set it up', () => {
    const again = sh('npm run clasp:setup -- --target dev --script-id 1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789');
    expect(again.status).not.toBe(0);
    expect(again.output).toContain('already exists');
    rmSync(join(clone, '.clasp-prod.json'));
    const missing = sh('npm run push -- --target prod', { BACKEND_URL: 'https://presgen.example.org' });
    expect(missing.status).not.toBe(0);
    expect(missing.output).toContain('npm run clasp:setup -- --target prod');
  });
});
