import { dropDatabases, listTestDatabases, pidAlive, TEST_DB_OWNER_ENV } from './postgres';

/**
 * vitest global setup: this run's main process owns every database its workers create (the name
 * records its pid, see ./postgres). At the start, sweep what dead runs left; at the end, drop what
 * this run's workers left (a worker killed mid-suite never reaches its own teardown).
 */

/** Databases from before names recorded an owner are swept only when clearly abandoned. */
const UNOWNED_STALE_MS = 2 * 3_600_000;

export async function sweepStaleTestDatabases(): Promise<string[]> {
  const stale = (await listTestDatabases()).filter((d) => (d.ownerPid !== undefined ? !pidAlive(d.ownerPid) : d.ageMs > UNOWNED_STALE_MS));
  await dropDatabases(stale.map((d) => d.name));
  return stale.map((d) => d.name);
}

export async function dropDatabasesOwnedBy(pid: number): Promise<string[]> {
  const owned = (await listTestDatabases()).filter((d) => d.ownerPid === pid);
  await dropDatabases(owned.map((d) => d.name));
  return owned.map((d) => d.name);
}

export default async function setup(): Promise<() => Promise<void>> {
  process.env[TEST_DB_OWNER_ENV] = String(process.pid);
  // A machine without PostgreSQL still runs the PGlite suites: the sweep is best effort.
  const swept = await sweepStaleTestDatabases().catch(() => []);
  if (swept.length > 0) console.log(`[test databases] dropped ${swept.length} left by dead runs`);
  return async () => {
    const left = await dropDatabasesOwnedBy(process.pid).catch(() => []);
    if (left.length > 0) console.log(`[test databases] dropped ${left.length} this run's suites left behind: ${left.join(', ')}`);
  };
}
