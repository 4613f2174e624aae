import { startPresgenProcess } from '../tests/support/presgen-process';
import { createTestDatabase } from '../tests/support/postgres';
import { measureCommitCeiling } from './commit-ceiling';
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

    const started = performance.now();
    const ids = await createWorkflows(database, opts.workflows, benchRequest(1));
    await waitForCompletion(database, ids, 30 * 60_000);
    const seconds = (performance.now() - started) / 1000;
    const loaded = await handoffLatenciesMs(database, ids);
    await backend.stop();
    const ceiling = await measureCommitCeiling(db.url, { clients: 16, seconds: 5 });

    const workflowsPerSec = opts.workflows / seconds;
    const stepsPerSec = (opts.workflows * 11) / seconds;
    console.log(`\n== Throughput: ${opts.workflows} workflows x 11 steps, 1 course each, zero-latency simulators, local Postgres ==`);
    console.log(`wall time                 ${fmt(seconds, 2)} s`);
    console.log(`workflows/s               ${fmt(workflowsPerSec, 1)}`);
    console.log(`steps/s                   ${fmt(stepsPerSec, 1)}`);
    console.log(`hand-off under load       ${summary(loaded)}`);
    console.log(`hand-off unloaded         ${summary(unloaded)}`);
    console.log(`commit ceiling            ${fmt(ceiling, 0)} single-row tx/s (16 clients, postgres.js)`);
    console.log(`steps/s / ceiling         ${fmt((100 * stepsPerSec) / ceiling, 1)} %   (target >= 25 %)`);
    console.log(`workspace commands run    ${backend.workspace.commandsExecuted}`);
  } finally {
    await backend.stop().catch(() => undefined);
    await presgen.close();
    await db.drop();
  }
}
