import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { log } from '../observability/logger';
import { startPresgenSimulator, type PresgenSimulator } from './presgen-simulator';

/**
 * Both PresGen simulators together: used in-process by `npm start` when no PresGen URL is
 * configured, by the demo and tests, and as a standalone process:
 *
 *   tsx backend/simulators/start-simulators.ts --core-port=0 --avatar-port=0 --job-ms=2000
 *
 * The standalone process prints one line `PRESGEN_SIMULATORS {"core":"http://…","avatar":"http://…"}`
 * on stdout when both listen, so a parent process can read the URLs, and exits on SIGTERM/SIGINT.
 */

export interface LocalPresgenOptions {
  jobMs?: number;
  jitter?: number;
  timeScale?: number;
  host?: string;
  corePort?: number;
  avatarPort?: number;
  token?: string;
}

export interface LocalPresgen {
  core: PresgenSimulator;
  avatar: PresgenSimulator;
  close(): Promise<void>;
}

export const READY_LINE_PREFIX = 'PRESGEN_SIMULATORS ';

export async function startLocalPresgen(opts: LocalPresgenOptions = {}): Promise<LocalPresgen> {
  const shared = { host: opts.host, jobMs: opts.jobMs, jitter: opts.jitter, timeScale: opts.timeScale, token: opts.token };
  const core = await startPresgenSimulator({ ...shared, kind: 'core', port: opts.corePort });
  let avatar: PresgenSimulator;
  try {
    avatar = await startPresgenSimulator({ ...shared, kind: 'avatar', port: opts.avatarPort });
  } catch (err) {
    await core.close();
    throw err;
  }
  return {
    core,
    avatar,
    close: async () => {
      await Promise.all([core.close(), avatar.close()]);
    },
  };
}

const CliArgs = z.object({
  'core-port': z.coerce.number().int().min(0).max(65535).default(0),
  'avatar-port': z.coerce.number().int().min(0).max(65535).default(0),
  'job-ms': z.coerce.number().min(0).default(2000),
  jitter: z.coerce.number().min(0).max(1).default(0),
  host: z.string().min(1).default('127.0.0.1'),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'core-port': { type: 'string' },
      'avatar-port': { type: 'string' },
      'job-ms': { type: 'string' },
      jitter: { type: 'string' },
      host: { type: 'string' },
    },
  });
  const parsed = CliArgs.safeParse(values);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`);
    process.stderr.write(`invalid arguments:\n${lines.join('\n')}\n`);
    process.exit(2);
  }
  const args = parsed.data;
  const local = await startLocalPresgen({
    host: args.host,
    corePort: args['core-port'],
    avatarPort: args['avatar-port'],
    jobMs: args['job-ms'],
    jitter: args.jitter,
  });
  log().info({ core: local.core.url, avatar: local.avatar.url, job_ms: args['job-ms'] }, 'PresGen simulators listening');
  process.stdout.write(`${READY_LINE_PREFIX}${JSON.stringify({ core: local.core.url, avatar: local.avatar.url })}\n`);

  const stop = () => {
    local.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Run as a script only, never when bundled into the server (import.meta.url is then the bundle's). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  return !!script && /start-simulators\.[cm]?[jt]s$/.test(script) && import.meta.url === pathToFileURL(script).href;
}

if (isEntryPoint()) {
  main().catch((err: unknown) => {
    process.stderr.write(`simulators failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
