import { sql } from 'drizzle-orm';
import { openDatabase, rows, type Database } from '../backend/db/client';
import { STEP_STATUSES } from '../shared/workflow-status';
import { fakeEngine, fakeStep } from '../tests/support/fake-engine';
import { benchRequest, createWorkflows, waitForCompletion } from './harness';

/**
 * The engine alone: the real engine and checkpoints on the given database, 11 no-op steps, no
 * HTTP, no Apps Script, no PresGen. What the step protocol costs is the full-protocol figure's
 * difference from this one.
 */
export async function runEngineOnly(
  url: string,
  opts: { workflows: number; concurrency: number; checkpointBatchMax?: number },
): Promise<{ stepsPerSec: number; txPerWorkflow: number }> {
  const database = await openDatabase({ databaseUrl: url, poolSize: 20 });
  const steps = new Map(STEP_STATUSES.map((s) => [s, fakeStep(s)]));
  const engine = fakeEngine(database, {
    steps,
    concurrency: opts.concurrency,
    checkpointBatchMax: opts.checkpointBatchMax,
    leaseMs: 30_000,
    idleMaxMs: 200,
  });
  try {
    await engine.start();
    const tx0 = await transactionCount(database);
    const started = performance.now();
    const ids = await createWorkflows(database, opts.workflows, benchRequest(1));
    const polls = await waitForCompletion(database, ids, 10 * 60_000);
    const seconds = (performance.now() - started) / 1000;
    // The bench's own progress polls are not the engine's work (creating the workflows is counted).
    const tx = (await transactionCount(database)) - tx0 - polls;
    return { stepsPerSec: (opts.workflows * STEP_STATUSES.length) / seconds, txPerWorkflow: tx / opts.workflows };
  } finally {
    await engine.stop();
    await database.close();
  }
}

/**
 * Committed + rolled-back transactions of this database so far (pg_stat_database), not counting
 * this read. The counters are flushed by each backend at most once a second, so wait that long
 * before reading.
 */
export async function transactionCount(database: Database): Promise<number> {
  await new Promise((r) => setTimeout(r, 1100));
  await rows(database.db, sql`select pg_stat_clear_snapshot()`);
  const [r] = await rows<{ n: string | number }>(
    database.db,
    sql`select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()`,
  );
  return Number(r.n);
}
