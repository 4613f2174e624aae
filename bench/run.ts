import { z } from 'zod';
import { runSlaSimulation } from './sla';
import { runThroughputBench } from './throughput';
import { runEmbeddedDbBench } from './embedded-db';

/**
 * `npm run bench [-- --workflows=500 --concurrency=64 --only=throughput|sla|embedded --sla-workflows=50 --sla-cap=100]`: prints figures,
 * asserts nothing. Needs PostgreSQL at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
const Args = z
  .object({
    workflows: z.coerce.number().int().min(1).max(100_000).default(500),
    concurrency: z.coerce.number().int().min(1).max(2000).default(64),
    only: z.enum(['throughput', 'sla', 'embedded']).optional(),
    'sla-workflows': z.coerce.number().int().min(1).max(1000).default(50),
    /** Global PresGen cap (jobs per service) for the concurrent SLA run. */
    'sla-cap': z.coerce.number().int().min(1).max(10_000).default(100),
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
  if (!args.only || args.only === 'throughput') await runThroughputBench({ workflows: args.workflows, concurrency: args.concurrency });
  if (!args.only || args.only === 'sla') await runSlaSimulation({ concurrentWorkflows: args['sla-workflows'], cap: args['sla-cap'] });
  if (!args.only || args.only === 'embedded') {
    await runEmbeddedDbBench({ commits: 300, idleMs: 5000, databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
