import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, rows, type Database } from '../../backend/db/client';
import { getWorkflow } from '../../backend/db/repositories/workflow-repository';
import { CheckpointBatcher } from '../../backend/workflow/checkpoint-batcher';
import { checkpointStep, leaseNextDueWorkflows, type CheckpointInput } from '../../backend/workflow/checkpoints';
import { commandInserts, WorkspaceCommandQueue } from '../../backend/workspace/command-queue';
import { STEP_STATUSES } from '../../shared/workflow-status';
import { fakeEngine, fakeStep, newFakeWorkflow } from '../support/fake-engine';
import { eventually } from '../support/backend';
import { createTestDatabase, DRIVERS, type TestDatabase } from '../support/postgres';

/**
 * Group commit of checkpoints: many workflows' checkpoints in one statement, each with its own
 * fence and its own answer, and a database error in one row failing only that row's write.
 */
describe.each(DRIVERS)('checkpoint group commit (%s)', (driver) => {
  let pg: TestDatabase | undefined;
  let database: Database;

  beforeAll(async () => {
    pg = driver === 'postgres' ? await createTestDatabase('presgen_ckptbatch') : undefined;
    database = await openDatabase(pg ? { databaseUrl: pg.url, poolSize: 4 } : {});
  }, 120_000);

  afterAll(async () => {
    await database?.close();
    await pg?.drop();
  });

  /** Claims `n` fresh workflows as `worker`; returns them. */
  async function claimFresh(n: number, worker: string) {
    const ids = new Set<string>();
    for (let i = 0; i < n; i++) ids.add(await newFakeWorkflow(database));
    const claimed = await leaseNextDueWorkflows(database.db, worker, 1000, 30_000);
    return claimed.filter((w) => ids.has(w.id));
  }

  function advance(w: { id: string; version: number }, worker: string, extra: Partial<CheckpointInput> = {}): CheckpointInput {
    return {
      workflowId: w.id,
      workerId: worker,
      expectedVersion: w.version,
      from: 'REQUESTED',
      to: 'GENERATING_ASSESSMENT',
      step: 'REQUESTED',
      stepAttempt: 1,
      nextAttempt: 1,
      outcome: 'succeeded',
      output: { ok: true },
      startedAt: new Date(),
      schedule: { kind: 'continue', leaseMs: 30_000 },
      actor: worker,
      ...extra,
    };
  }

  it('writes concurrent checkpoints together; a fenced-off row gets null and the others commit', async () => {
    const claimed = await claimFresh(6, 'batch-a');
    expect(claimed).toHaveLength(6);
    const batcher = new CheckpointBatcher(() => database.db);
    const results = await Promise.all(
      claimed.map((w, i) =>
        // Row 2 carries a stale version, row 4 another worker's name: both must be refused alone.
        batcher.write(advance(i === 2 ? { ...w, version: w.version - 1 } : w, i === 4 ? 'batch-b' : 'batch-a')),
      ),
    );
    expect(batcher.stats.checkpoints).toBe(6);
    expect(batcher.stats.batches).toBe(1);
    expect(results.map((r) => r === null)).toEqual([false, false, true, false, true, false]);
    for (const [i, w] of claimed.entries()) {
      const now = await getWorkflow(database.db, w.id);
      expect(now?.status).toBe(i === 2 || i === 4 ? 'REQUESTED' : 'GENERATING_ASSESSMENT');
      expect(now?.version).toBe(i === 2 || i === 4 ? w.version : w.version + 1);
      if (results[i]) expect(results[i]).toEqual({ version: w.version + 1, wakeSeq: Number(w.wakeSeq) });
    }
    const runs = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from step_runs where workflow_id in ${claimed.map((w) => w.id)}`,
    );
    expect(Number(runs[0].n)).toBe(4);
  });

  it('a row the database rejects fails alone: the batch is retried one checkpoint at a time', async () => {
    const claimed = await claimFresh(3, 'batch-c');
    const batcher = new CheckpointBatcher(() => database.db);
    // U+0000 cannot be stored in jsonb: the batch statement fails as a whole.
    const outcomes = await Promise.allSettled(
      claimed.map((w, i) => batcher.write(advance(w, 'batch-c', i === 1 ? { output: { ok: true, note: 'bad\u0000byte' } } : {}))),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await getWorkflow(database.db, claimed[0].id))?.status).toBe('GENERATING_ASSESSMENT');
    expect((await getWorkflow(database.db, claimed[1].id))?.status).toBe('REQUESTED');
    expect((await getWorkflow(database.db, claimed[2].id))?.status).toBe('GENERATING_ASSESSMENT');
  });

  it('a park inserts its commands in the same statement: a fenced-off park inserts none, and one whose commands already existed is due at once', async () => {
    const [stale, fresh, replay] = await claimFresh(3, 'batch-p');
    const owner = (w: { id: string }) => ({ id: w.id, ownerEmail: 'engine@school.example', spreadsheetId: 's' });
    const specs = [{ name: 'tab', type: 'write_tab' as const, payload: { spreadsheetId: 's', tabName: 'T', rows: [['a']] } }];
    const park = (w: { id: string; version: number; wakeSeq: number }, version = w.version): CheckpointInput =>
      advance({ id: w.id, version }, 'batch-p', {
        to: 'REQUESTED',
        outcome: 'parked',
        output: undefined,
        schedule: { kind: 'park', until: null, seenWakeSeq: Number(w.wakeSeq) },
        commands: commandInserts(owner(w), 'REQUESTED', specs),
      });
    const commandsOf = async (id: string) =>
      rows<{ status: string }>(database.db, sql`select status from workspace_commands where workflow_id = ${id}`);

    expect(await checkpointStep(database.db, park(stale, stale.version - 1))).toBeNull();
    expect(await commandsOf(stale.id)).toEqual([]);

    expect(await checkpointStep(database.db, park(fresh))).not.toBeNull();
    expect(await commandsOf(fresh.id)).toEqual([{ status: 'pending' }]);
    expect((await getWorkflow(database.db, fresh.id))?.runAfter).toBeNull(); // parked until the result wakes it

    // A re-run after a crash: the command was enqueued (and even finished) before this park.
    const queue = new WorkspaceCommandQueue(database, 60_000);
    await queue.ensureCommands(owner(replay), 'REQUESTED', specs);
    expect(await checkpointStep(database.db, park(replay))).not.toBeNull();
    expect(await commandsOf(replay.id)).toHaveLength(1);
    expect((await getWorkflow(database.db, replay.id))?.runAfter).not.toBeNull(); // due now: the step reads the command again
  });

  it('the engine group-commits: 20 concurrent 11-step workflows take fewer statements than checkpoints', async () => {
    const steps = new Map(STEP_STATUSES.map((s) => [s, fakeStep(s)]));
    const engine = fakeEngine(database, { steps, concurrency: 20, leaseMs: 30_000 });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await newFakeWorkflow(database));
    await engine.start();
    try {
      await eventually(
        async () => {
          const [done] = await rows<{ n: number }>(
            database.db,
            sql`select count(*)::int as n from workflows where id in ${ids} and status = 'COMPLETED'`,
          );
          return Number(done.n) === 20;
        },
        { timeoutMs: 60_000, what: '20 workflows completed' },
      );
      const stats = (engine as unknown as { checkpoints: CheckpointBatcher }).checkpoints.stats;
      expect(stats.checkpoints).toBeGreaterThanOrEqual(20 * 11);
      expect(stats.batches).toBeLessThan(stats.checkpoints);
      expect(stats.largest).toBeGreaterThan(1);
    } finally {
      await engine.stop();
    }
  }, 90_000);
});
