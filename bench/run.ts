import { z } from 'zod';
import { ConfigSchema } from '../backend/config';
import { runSlaSimulation } from './sla';
import { runThroughputBench } from './throughput';
import { runTracingBench } from './tracing';
import { runEmbeddedDbBench } from './embedded-db';

/**
 * `npm run bench [-- --workflows=500 --concurrency=64 --only=throughput|sla|tracing|embedded --tracing-workflows=200 --tracing-rounds=2 --sla-workflows=50 --sla-cap=100 --sla-protocols=both]`: prints figures,
 * asserts nothing. Needs PostgreSQL at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
const Args = z
  .object({
    workflows: z.coerce.number().int().min(1).max(100_000).default(500),
    concurrency: z.coerce.number().int().min(1).max(2000).default(64),
    only: z.enum(['throughput', 'sla', 'tracing', 'embedded']).optional(),
    /** Workflows per round and off/on rounds of the tracing-cost run. */
    'tracing-workflows': z.coerce.number().int().min(1).max(10_000).default(200),
    'tracing-rounds': z.coerce.number().int().min(1).max(10).default(2),
    'sla-workflows': z.coerce.number().int().min(1).max(1000).default(50),
    /** Global PresGen cap (jobs per service) for the concurrent SLA run. */
    'sla-cap': z.coerce.number().int().min(1).max(10_000).default(100),
    /** Also on the real synchronous PresGen APIs, at the default caps (10) and at --sla-cap. */
    'sla-protocols': z.enum(['jobs', 'presgen', 'both']).default('both'),
  })
  .strict();

function parseArgs(argv: string[]) {
  const raw: Record<string, string> = {};
  for (const arg of argv) {
    const match = /^--([\w-]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unexpected argument "${arg}": use --name=value`);
    raw[match[1]] = match[2];
  }
  const parsed = Args.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.') || 'argument'}: ${i.message}`).join('\n'));
  return parsed.data;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  if (args.only === undefined || args.only === 'throughput')
    await runThroughputBench({ workflows: args.workflows, concurrency: args.concurrency });
  if (args.only === undefined || args.only === 'tracing') {
    await runTracingBench({ workflows: args['tracing-workflows'], concurrency: args.concurrency, rounds: args['tracing-rounds'] });
  }
  if (args.only === undefined || args.only === 'sla') {
    const protocols = args['sla-protocols'];
    if (protocols !== 'presgen') await runSlaSimulation({ concurrentWorkflows: args['sla-workflows'], cap: args['sla-cap'] });
    if (protocols !== 'jobs') {
      const defaultCap = ConfigSchema.shape.PRESGEN_CORE_CONCURRENCY.parse(undefined);
      await runSlaSimulation({ concurrentWorkflows: args['sla-workflows'], cap: defaultCap, protocol: 'presgen' });
      if (args['sla-cap'] !== defaultCap)
        await runSlaSimulation({ concurrentWorkflows: args['sla-workflows'], cap: args['sla-cap'], protocol: 'presgen' });
    }
  }
  if (args.only === undefined || args.only === 'embedded') {
    await runEmbeddedDbBench({
      commits: 300,
      idleMs: 5000,
      databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    });
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
