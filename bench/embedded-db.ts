import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGLITE_START_PARAMS, startPglite } from '../backend/db/pglite-settings';

/**
 * Embedded database figures (issue 8): commit rate of PGlite with fsync on (the default now)
 * and off (PGlite's own default, not durable), and idle RSS of the built server on PGlite and
 * on PostgreSQL. Prints figures, asserts nothing.
 */

async function commitRate(fsync: boolean, commits: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pglite-'));
  try {
    const startParams = fsync ? PGLITE_START_PARAMS : PGLITE_START_PARAMS.map((p) => (p === 'fsync=on' ? 'fsync=off' : p));
    const pg = await startPglite(join(dir, 'data'), { startParams });
    await pg.exec('create table bench_commit (id serial primary key, v text)');
    const started = performance.now();
    for (let i = 0; i < commits; i++) await pg.query('insert into bench_commit (v) values ($1)', ['x']);
    const perSecond = commits / ((performance.now() - started) / 1000);
    await pg.close();
    return perSecond;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts dist/backend/server.js (build it first), waits until it listens, idles, reads VmRSS. */
async function idleRssMb(env: Record<string, string>, idleMs: number): Promise<number> {
  const child = spawn(process.execPath, ['dist/backend/server.js'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not start in 10 min')), 600_000);
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('backend listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    await new Promise((r) => setTimeout(r, idleMs));
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
  } finally {
    child.kill('SIGTERM');
  }
}

export async function runEmbeddedDbBench(opts: { commits: number; idleMs: number; databaseUrl: string }): Promise<void> {
  console.log('\n== embedded database (PGlite) ==');
  const on = await commitRate(true, opts.commits);
  const off = await commitRate(false, opts.commits);
  console.log(
    `commit rate, single-row insert per commit (${opts.commits} commits): fsync on ${on.toFixed(0)}/s, fsync off ${off.toFixed(0)}/s`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'bench-rss-'));
  try {
    const pglite = await idleRssMb({ PGLITE_DATA_DIR: join(dir, 'data') }, opts.idleMs);
    const pgliteReopen = await idleRssMb({ PGLITE_DATA_DIR: join(dir, 'data') }, opts.idleMs);
    const postgres = await idleRssMb({ DATABASE_URL: opts.databaseUrl }, opts.idleMs);
    console.log(
      `idle RSS of the server after ${opts.idleMs / 1000}s: PGlite first start ${pglite} MB, PGlite restart ${pgliteReopen} MB, PostgreSQL ${postgres} MB`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
