import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, rows, type Database } from '../../backend/db/client';
import { pgliteFsyncCount } from '../../backend/db/pglite-settings';

/**
 * Issue 8: the embedded database keeps what it commits. PGlite starts with fsync=off by
 * default and its Node filesystem cannot fsync; ours runs with fsync=on and every COMMIT
 * reaches fsync(2) before it returns.
 */
describe('embedded PGlite is durable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'presgen-pglite-'));
  let database: Database | undefined;
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs with fsync=on, synchronous_commit=on and small shared_buffers', async () => {
    database = await openDatabase({ pgliteDataDir: join(dir, 'data') });
    const settings = await rows<{ name: string; setting: string }>(
      database.db,
      sql`select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'shared_buffers') order by name`,
    );
    expect(Object.fromEntries(settings.map((s) => [s.name, s.setting]))).toEqual({
      fsync: 'on',
      shared_buffers: '2048',
      synchronous_commit: 'on',
    });
  }, 180_000);

  it('every commit calls fsync(2) before it returns, and the rows are there after a reopen', async () => {
    await database!.db.execute(sql`create table durability_probe (id int primary key)`);
    for (let i = 1; i <= 5; i++) {
      const before = pgliteFsyncCount();
      await database!.db.execute(sql`insert into durability_probe values (${i})`);
      expect(pgliteFsyncCount(), `commit ${i}`).toBeGreaterThan(before);
    }
    await database!.close();
    database = await openDatabase({ pgliteDataDir: join(dir, 'data') });
    const [count] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from durability_probe`);
    expect(count.n).toBe(5);
  }, 180_000);
});
