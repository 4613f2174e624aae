import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepStaleTestDatabases } from '../support/global-setup';
import { BASE_DATABASE_URL, dropDatabases, listTestDatabases } from '../support/postgres';

/**
 * Test suites leave no databases behind on the machine's PostgreSQL, also when they fail: a
 * vitest of its own runs suites that fail and leak on purpose (tests/support/leaky-suites), and
 * afterwards none of their databases exists; the start-of-run sweep drops what dead runs left and
 * nothing of a live one.
 */
describe('test databases are dropped', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'presgen-leaky-'));
  const created: string[] = [];
  afterAll(async () => {
    await dropDatabases(created);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a run whose suites fail, forget to drop, or lose their worker to SIGKILL leaves none of their databases', async () => {
    const namesFile = join(tmp, 'names');
    writeFileSync(namesFile, '');
    const root = new URL('../..', import.meta.url).pathname;
    const child = spawn(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', '--config', 'tests/support/leaky-suites/vitest.config.ts'],
      {
        cwd: root,
        env: { ...process.env, LEAKY_NAMES_FILE: namesFile, PRESGEN_TEST_DB_OWNER: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    const names = readFileSync(namesFile, 'utf8').split('\n').filter(Boolean);
    created.push(...names);
    expect(code, output).not.toBe(0); // the suites did fail
    expect(names, output).toHaveLength(2); // both created their database
    for (const name of names) expect(name).toMatch(new RegExp(`_p${child.pid}_`)); // owned by that run
    const left = (await listTestDatabases()).filter((d) => names.includes(d.name));
    expect(left, output).toEqual([]);
  }, 120_000);

  it('the sweep drops databases whose owner process is dead and keeps those of live runs', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const deadName = `presgen_sweeptest_p${dead}_${randomBytes(4).toString('hex')}`;
    const liveName = `presgen_sweeptest_p${process.pid}_${randomBytes(4).toString('hex')}`;
    created.push(deadName, liveName);
    const admin = postgres(BASE_DATABASE_URL, { max: 1, onnotice: () => {} });
    try {
      for (const name of [deadName, liveName]) await admin.unsafe(`create database ${name}`);
    } finally {
      await admin.end();
    }
    const swept = await sweepStaleTestDatabases();
    expect(swept).toContain(deadName);
    expect(swept).not.toContain(liveName);
    const present = (await listTestDatabases()).map((d) => d.name);
    expect(present).not.toContain(deadName);
    expect(present).toContain(liveName);
  });
});
