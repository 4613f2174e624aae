import { execFileSync } from 'node:child_process';
import { existsSync, fsyncSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

/**
 * How the embedded database (PGlite) is started: durable and small.
 *
 * Durability. PGlite's default start parameters include `-F` (fsync=off), and its Node
 * filesystem (Emscripten NODEFS) has no fsync operation, so Postgres' own fsync calls would be
 * no-ops even with fsync=on. We start without `-F` and give NODEFS an fsync that calls the real
 * fsync(2): a COMMIT returns only after its WAL is on disk (power loss, OS crash), as with a
 * PostgreSQL server. `tests/backend/pglite-durability.test.ts` proves it; `npm run bench` has the cost.
 *
 * Memory. The ~780 MB RSS of a first start is initdb: it runs in its own WASM instance whose
 * memory the process keeps. A new data folder is therefore initialised in a short-lived child
 * process. shared_buffers is 16 MB instead of 128 MB (the embedded database serves one replica;
 * the working set is small), which keeps the WASM heap near its 128 MiB minimum.
 */

/** PGlite 0.5's defaultStartParams without `-F`, plus our memory settings. */
export const PGLITE_START_PARAMS = [
  '--single',
  '-O',
  '-j',
  '-c',
  'search_path=public',
  '-c',
  'exit_on_error=false',
  '-c',
  'log_checkpoints=false',
  '-c',
  'max_worker_processes=0',
  '-c',
  'max_parallel_workers=0',
  '-c',
  'max_parallel_workers_per_gather=0',
  '-c',
  'io_method=sync',
  '-c',
  'max_parallel_maintenance_workers=0',
  '-c',
  'fsync=on',
  '-c',
  'synchronous_commit=on',
  // fdatasync is a no-op stub in Emscripten; fsync goes through NODEFS' stream_ops.fsync (below).
  '-c',
  'wal_sync_method=fsync',
  '-c',
  'shared_buffers=16MB',
  '-c',
  'wal_buffers=1MB',
];

interface NodeFsStreamOps {
  fsync?: (stream: { nfd?: number }) => number | undefined;
}

let fsyncCalls = 0;
/** fsync(2) calls the embedded database has made in this process (tests and bench read it). */
export function pgliteFsyncCount(): number {
  return fsyncCalls;
}

/** Give Emscripten's NODEFS the fsync it lacks, so Postgres' fsync/fdatasync reach the disk. */
function enableNodeFsFsync(client: PGlite): void {
  // PGlite's NodeFS mounts the data folder with the Emscripten module's NODEFS (pg.Module.NODEFS).
  const module = (client as unknown as { Module?: { NODEFS?: { stream_ops?: NodeFsStreamOps } } }).Module;
  const ops = module?.NODEFS?.stream_ops;
  if (!ops) throw new Error('PGlite internals changed: NODEFS not found, cannot make the embedded database durable');
  ops.fsync = (stream) => {
    if (typeof stream.nfd === 'number') {
      fsyncSync(stream.nfd);
      fsyncCalls += 1;
    }
    return 0;
  };
}

/** initdb in a child process, so its memory is returned to the OS when it exits. */
function initialiseInChild(dataDir: string): void {
  const entry = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  const script = `const { PGlite } = await import(${JSON.stringify(entry)}); const pg = await PGlite.create({ dataDir: ${JSON.stringify(dataDir)} }); await pg.close();`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
}

export async function startPglite(dataDir: string, overrides: Partial<PGliteOptions> = {}): Promise<PGlite> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory && !existsSync(join(dataDir, 'PG_VERSION'))) initialiseInChild(dataDir);
  const client = await PGlite.create({ dataDir, startParams: PGLITE_START_PARAMS, ...overrides });
  if (!inMemory) enableNodeFsFsync(client);
  return client;
}
