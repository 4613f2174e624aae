import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import postgres from 'postgres';

/**
 * The machine's real PostgreSQL for integration tests. Each suite gets a database of its own,
 * so engines of parallel suites never claim each other's workflows.
 *
 * Nothing may be left behind, also when a suite fails or its process dies:
 * - `drop()` in the suite's teardown (see `teardown()` in ./teardown, which runs it even when an
 *   earlier close throws);
 * - an exit hook drops, synchronously, what this process created and did not drop;
 * - the vitest global setup (./global-setup) drops at the end of the run whatever the run's
 *   workers created (also a SIGKILLed worker's), and at its start sweeps databases of runs that
 *   died (their owner process is gone) or, for names from before owners were recorded, that are
 *   older than two hours.
 * Every name records its owner: `<prefix>_p<owner pid>_<random>`. The owner is the vitest main
 * process (PRESGEN_TEST_DB_OWNER, set by the global setup) or else this process (bench, scripts).
 * Other runs on this machine may be in progress: only databases whose owner is dead are swept.
 */
export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Env variable through which the vitest main process names itself the owner of its workers' databases. */
export const TEST_DB_OWNER_ENV = 'PRESGEN_TEST_DB_OWNER';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Databases this process created and has not dropped yet (for the exit hook). */
const undropped = new Set<string>();
let exitHookInstalled = false;

function ownerPid(): number {
  const owner = Number(process.env[TEST_DB_OWNER_ENV]);
  return Number.isInteger(owner) && owner > 0 ? owner : process.pid;
}

export async function createTestDatabase(prefix = 'presgen_test'): Promise<TestDatabase> {
  const name = `${prefix}_p${ownerPid()}_${randomBytes(4).toString('hex')}`;
  installExitHook();
  undropped.add(name); // before the create: a create that lands after a timeout is still dropped
  await withAdmin((sql) => sql.unsafe(`create database ${name}`));
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      await dropDatabases([name]);
      undropped.delete(name);
    },
  };
}

/** Drops the databases (if they exist), disconnecting whoever is still connected. */
export async function dropDatabases(names: string[]): Promise<void> {
  if (names.length === 0) return;
  const bad = names.find((n) => !/^presgen_[a-z0-9_]+$/.test(n));
  if (bad) throw new Error(`not a test database name: ${bad}`);
  await withAdmin(async (sql) => {
    for (const name of names) await sql.unsafe(`drop database if exists ${name} with (force)`);
  });
}

/** Test databases on the server (any run's), with their owner pid when the name records one. */
export async function listTestDatabases(): Promise<{ name: string; ownerPid?: number; ageMs: number }[]> {
  return withAdmin(async (sql) => {
    // A database's directory is created with it: its PG_VERSION file's time is the creation time.
    const found = await sql<{ name: string; age_ms: number }[]>`
      select datname as name,
             extract(epoch from (now() - (pg_stat_file('base/' || oid || '/PG_VERSION', true)).modification)) * 1000 as age_ms
      from pg_database where datname like 'presgen\\_%'`;
    // (A database dropped meanwhile has no file: age 0, never swept by age.)
    return found.map((d) => {
      const owner = /_p(\d+)_[0-9a-f]+$/.exec(d.name);
      return { name: d.name, ownerPid: owner ? Number(owner[1]) : undefined, ageMs: Number(d.age_ms) };
    });
  });
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

async function withAdmin<T>(work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(BASE_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * On exit (a suite without teardown, a failed beforeAll, a bench that threw) drop what is left,
 * synchronously: an exit handler cannot await, so a short-lived node process does the drop.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    if (undropped.size === 0) return;
    const script = `
      const { default: postgres } = await import('postgres');
      const sql = postgres(process.env.BASE_URL, { max: 1, onnotice: () => {} });
      for (const name of JSON.parse(process.env.NAMES)) await sql.unsafe('drop database if exists "' + name + '" with (force)');
      await sql.end({ timeout: 5 });`;
    spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, BASE_URL: BASE_DATABASE_URL, NAMES: JSON.stringify([...undropped]) },
      cwd: new URL('../..', import.meta.url).pathname,
      stdio: 'ignore',
      timeout: 15_000,
    });
  });
}

/** Both drivers the data layer supports: every repository test runs on each. */
export const DRIVERS = ['pglite', 'postgres'] as const;
export type Driver = (typeof DRIVERS)[number];
