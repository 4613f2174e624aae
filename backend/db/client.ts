import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { startPglite } from './pglite-settings';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTable } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import * as schema from './schema';
import { log } from '../observability/logger';

/**
 * One data layer over two drivers: embedded PGlite (default, no server needed) and postgres.js
 * (when DATABASE_URL is set). Same schema, same migrations, same SQL. Everything above this file
 * sees a `Database` and never knows which driver it got.
 */

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Executor = Db | Tx;

export interface Database {
  readonly db: Db;
  readonly driver: 'pglite' | 'postgres';
  /** Wake other engine loops (all replicas on Postgres, this process on PGlite). */
  notify(channel: string, payload?: string): Promise<void>;
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  pgliteDataDir?: string;
  poolSize?: number;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));
/** /readyz answers within this even while the database is unreachable. */
const PING_TIMEOUT_MS = 2_000;
/** Serialises migrations across replicas starting at the same time. */
const MIGRATION_LOCK_ID = 7_424_242;

/** Rows of a raw statement, whatever the driver. */
export async function rows<T = Record<string, unknown>>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * Rows of a raw statement that selects a table's columns (`returning *`, `select t.*`), mapped the
 * way drizzle maps its own queries: property names, Dates, numbers. For statements the query
 * builder cannot express (several CTEs in one round trip).
 */
export async function tableRows<T extends PgTable>(executor: Executor, table: T, query: SQL): Promise<T['$inferSelect'][]> {
  const columns = Object.entries(getTableColumns(table));
  return (await rows<Record<string, unknown>>(executor, query)).map(
    (raw) =>
      Object.fromEntries(
        columns.map(([key, column]) => [key, raw[column.name] == null ? null : column.mapFromDriverValue(raw[column.name])]),
      ) as T['$inferSelect'],
  );
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.poolSize ?? 10) : openPglite(opts.pgliteDataDir ?? 'memory://');
}

async function openPglite(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const client = await startPglite(dataDir);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  await migratePglite(db as never, { migrationsFolder: MIGRATIONS_DIR });
  return {
    db,
    driver: 'pglite',
    async notify(channel, payload = '') {
      await client.query('select pg_notify($1, $2)', [channel, payload]);
    },
    async listen(channel, onMessage) {
      return client.listen(channel, onMessage);
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      await client.close();
    },
  };
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  await migrateWithLock(url);
  const client = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    // A restarted Postgres must not take the process down: postgres.js reconnects per query.
    connection: { application_name: 'presgen-assess' },
    // Seconds before a failed connection is tried again. The default grows to 20 s after a few
    // failures, so a 5 s outage left every connection waiting long after Postgres was back.
    backoff: (retries: number) => Math.min(2, 0.05 * 2 ** retries) * (0.5 + Math.random() / 2),
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'postgres',
    async notify(channel, payload = '') {
      await client.notify(channel, payload);
    },
    async listen(channel, onMessage) {
      const sub = await client.listen(channel, onMessage);
      return async () => {
        await sub.unlisten();
      };
    },
    async ping() {
      // postgres.js queues a query while it reconnects instead of failing it: bound the wait.
      await withTimeout(client`select 1`.execute(), PING_TIMEOUT_MS, `database did not answer within ${PING_TIMEOUT_MS} ms`);
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

async function migrateWithLock(url: string): Promise<void> {
  const migrator = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrator`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migratePostgres(drizzlePostgres(migrator), { migrationsFolder: MIGRATIONS_DIR });
    await migrator`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
  } finally {
    await migrator.end({ timeout: 5 });
  }
  log().debug({ migrationsDir: MIGRATIONS_DIR }, 'migrations applied');
}

/** Whether every migration shipped with this build is applied (for /readyz). */
export async function migrationsApplied(database: Database): Promise<boolean> {
  const { readMigrationFiles } = await import('drizzle-orm/migrator');
  const expected = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR }).length;
  try {
    const [row] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    return (row?.n ?? 0) >= expected;
  } catch {
    return false;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  // A late answer (or failure) of the abandoned query must not surface as an unhandled rejection.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
