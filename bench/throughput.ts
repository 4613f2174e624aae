import { startPresgenProcess } from '../tests/support/presgen-process';
import { createTestDatabase } from '../tests/support/postgres';
import { measureCommitCeiling } from './commit-ceiling';
import { runEngineOnly, transactionCount } from './engine-only';
import { benchRequest, createWorkflows, handoffLatenciesMs, startBenchBackend, throughputEnv, waitForCompletion } from './harness';
import { fmt, summary } from './stats';

/**
 * Issue 2's benchmark: N 11-step workflows with zero-latency simulators on the local Postgres;
 * workflows/s, steps/s, hand-off latency under load and unloaded, and the commit ceiling of this
 * machine measured in the same run through the same driver.
 */
export async function runThroughputBench(opts: { workflows: number; concurrency: number }): Promise<void> {
  const db = await createTestDatabase('presgen_bench');
  // The simulators run in a process of their own, as PresGen would: their HTTP work is not the engine's.
  const presgen = await startPresgenProcess(0);
  const backend = await startBenchBackend(throughputEnv(db.url, presgen, opts.concurrency));
  const { database } = backend.runtime;
  try {
    // Warm-up, then a single workflow alone: the unloaded hand-off.
    await waitForCompletion(database, await createWorkflows(database, 5, benchRequest(1)), 60_000);
    const single = await createWorkflows(database, 1, benchRequest(1));
    await waitForCompletion(database, single, 60_000);
    const unloaded = await handoffLatenciesMs(database, single);

    const tx0 = await transactionCount(database);
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const ids = await createWorkflows(database, opts.workflows, benchRequest(1));
    await waitForCompletion(database, ids, 30 * 60_000);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const txPerWorkflow = ((await transactionCount(database)) - tx0) / opts.workflows;
    const loaded = await handoffLatenciesMs(database, ids);
    await backend.stop();
    const engineOnly = await runEngineOnly(db.url, opts);
    const ceiling = await measureCommitCeiling(db.url, { clients: 8, seconds: 5 });

    const workflowsPerSec = opts.workflows / seconds;
    const stepsPerSec = (opts.workflows * 11) / seconds;
    console.log(`\n== Throughput: ${opts.workflows} workflows x 11 steps, 1 course each, zero-latency simulators, local Postgres ==`);
    console.log(`wall time                 ${fmt(seconds, 2)} s`);
    console.log(`workflows/s               ${fmt(workflowsPerSec, 1)}`);
    console.log(`steps/s                   ${fmt(stepsPerSec, 1)}`);
    console.log(`hand-off under load       ${summary(loaded)}`);
    console.log(`hand-off unloaded         ${summary(unloaded)}`);
    console.log(`tx per workflow           ${fmt(txPerWorkflow, 1)}   (pg_stat_database, full protocol)`);
    console.log(
      `CPU-ms per workflow       ${fmt((cpu.user + cpu.system) / 1000 / opts.workflows, 1)}   (backend process, incl. the in-process instant Apps Script)`,
    );
    console.log(
      `engine-only steps/s       ${fmt(engineOnly.stepsPerSec, 1)}   (11 no-op steps, ${fmt(engineOnly.txPerWorkflow, 1)} tx per workflow)`,
    );
    console.log(`commit ceiling            ${fmt(ceiling, 0)} single-row tx/s (8 clients, postgres.js)`);
    console.log(
      `steps/s / ceiling         ${fmt((100 * stepsPerSec) / ceiling, 1)} % full protocol, ${fmt((100 * engineOnly.stepsPerSec) / ceiling, 1)} % engine only`,
    );
    console.log(`workspace commands run    ${backend.workspace.commandsExecuted}`);
  } finally {
    await backend.stop().catch(() => undefined);
    await presgen.close();
    await db.drop();
  }
}
