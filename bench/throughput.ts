import { startPresgenProcess } from '../tests/support/presgen-process';
import { createTestDatabase } from '../tests/support/postgres';
import { measureCommitCeiling } from './commit-ceiling';
import { runEngineOnly, transactionCount } from './engine-only';
import { benchRequest, createWorkflows, handoffLatenciesMs, startBenchBackend, throughputEnv, waitForCompletion } from './harness';
import { fmt, summary } from './stats';

/**
 * N 11-step workflows with zero-latency simulators on the local Postgres: steps/s, transactions
 * and backend CPU per workflow, hand-off latency under load and unloaded, and the commit ceiling
 * of this machine measured in the same run through the same driver. Each figure is measured with
 * checkpoints written one per statement (CHECKPOINT_BATCH_MAX=1) and group-committed (the
 * default), so the ratio between them comes from one run on one machine state.
 */

interface FullProtocolRun {
  stepsPerSec: number;
  txPerWorkflow: number;
  cpuMsPerWorkflow: number;
  loaded: number[];
  unloaded: number[];
  commands: number;
}

async function runFullProtocol(
  presgen: { coreUrl: string; avatarUrl: string },
  opts: { workflows: number; concurrency: number; checkpointBatchMax: number },
): Promise<FullProtocolRun> {
  const db = await createTestDatabase('presgen_bench');
  const backend = await startBenchBackend({
    ...throughputEnv(db.url, presgen, opts.concurrency),
    CHECKPOINT_BATCH_MAX: String(opts.checkpointBatchMax),
  });
  const { database } = backend.runtime;
  try {
    // Warm-up, then single workflows one after another: the unloaded hand-off.
    await waitForCompletion(database, await createWorkflows(database, 5, benchRequest(1)), 60_000);
    const unloaded: number[] = [];
    for (let i = 0; i < 5; i++) {
      const single = await createWorkflows(database, 1, benchRequest(1));
      await waitForCompletion(database, single, 60_000);
      unloaded.push(...(await handoffLatenciesMs(database, single)));
    }

    const tx0 = await transactionCount(database);
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const ids = await createWorkflows(database, opts.workflows, benchRequest(1));
    const polls = await waitForCompletion(database, ids, 30 * 60_000);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // The bench's own progress polls are not the workflows' work.
    const tx = (await transactionCount(database)) - tx0 - polls;
    return {
      stepsPerSec: (opts.workflows * 11) / seconds,
      txPerWorkflow: tx / opts.workflows,
      cpuMsPerWorkflow: (cpu.user + cpu.system) / 1000 / opts.workflows,
      loaded: await handoffLatenciesMs(database, ids),
      unloaded,
      commands: backend.workspace.commandsExecuted,
    };
  } finally {
    await backend.stop().catch(() => undefined);
    await db.drop();
  }
}

export async function runThroughputBench(opts: { workflows: number; concurrency: number }): Promise<void> {
  // The simulators run in a process of their own, as PresGen would: their HTTP work is not the engine's.
  const presgen = await startPresgenProcess(0);
  const db = await createTestDatabase('presgen_bench');
  try {
    const single = await runFullProtocol(presgen, { ...opts, checkpointBatchMax: 1 });
    const grouped = await runFullProtocol(presgen, { ...opts, checkpointBatchMax: 200 });
    const engineSingle = await runEngineOnly(db.url, { ...opts, checkpointBatchMax: 1 });
    const engineGrouped = await runEngineOnly(db.url, { ...opts, checkpointBatchMax: 200 });
    const ceiling = await measureCommitCeiling(db.url, { clients: 8, seconds: 5 });

    const row = (label: string, a: string, b: string) => console.log(`${label.padEnd(26)}${a.padStart(14)}${b.padStart(16)}`);
    console.log(`\n== Throughput: ${opts.workflows} workflows x 11 steps, 1 course each, zero-latency simulators, local Postgres ==`);
    row('checkpoints', 'one/statement', 'group commit');
    row('full-protocol steps/s', fmt(single.stepsPerSec, 1), fmt(grouped.stepsPerSec, 1));
    row('tx per workflow', fmt(single.txPerWorkflow, 1), fmt(grouped.txPerWorkflow, 1));
    row('CPU-ms per workflow', fmt(single.cpuMsPerWorkflow, 1), fmt(grouped.cpuMsPerWorkflow, 1));
    row('engine-only steps/s', fmt(engineSingle.stepsPerSec, 1), fmt(engineGrouped.stepsPerSec, 1));
    row('engine-only tx/workflow', fmt(engineSingle.txPerWorkflow, 1), fmt(engineGrouped.txPerWorkflow, 1));
    row(
      'engine-only % of ceiling',
      fmt((100 * engineSingle.stepsPerSec) / ceiling, 1),
      fmt((100 * engineGrouped.stepsPerSec) / ceiling, 1),
    );
    console.log(`hand-off under load       ${summary(grouped.loaded)}   (group commit)`);
    console.log(`hand-off unloaded         ${summary(grouped.unloaded)}   (group commit)`);
    console.log(`hand-off unloaded         ${summary(single.unloaded)}   (one per statement)`);
    console.log(`commit ceiling            ${fmt(ceiling, 0)} single-row tx/s (8 clients, postgres.js)`);
    console.log(`tx: pg_stat_database, bench polls excluded; CPU: backend process, incl. the in-process instant Apps Script`);
    console.log(`workspace commands run    ${single.commands} / ${grouped.commands}`);
  } finally {
    await presgen.close();
    await db.drop();
  }
}
