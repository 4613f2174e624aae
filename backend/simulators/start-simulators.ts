import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { log } from '../observability/logger';
import { startPresgenSimulator, type PresgenSimulator } from './presgen-simulator';
import { startRealPresgenSimulator, type RealPresgenSimulator } from './presgen-real-simulator';

/**
 * Both PresGen simulators together: used in-process by `npm start` when no PresGen URL is
 * configured, by the demo and tests, and as a standalone process. Each speaks the protocol its
 * service is configured for (PRESGEN_CORE_PROTOCOL / PRESGEN_AVATAR_PROTOCOL): the jobs contract
 * (presgen-simulator.ts) or the real PresGen APIs (presgen-real-simulator.ts; for
 * `presgen-training` the "avatar" simulator is a PresGen-Core one). Standalone:
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
  coreProtocol?: 'presgen' | 'jobs';
  avatarProtocol?: 'presgen-avatar' | 'presgen-training' | 'jobs';
  /** Synchronous latencies of the real-protocol simulators (default: jobMs). */
  renderMs?: number;
  videoMs?: number;
}

export type AnyPresgenSimulator = PresgenSimulator | RealPresgenSimulator;

/** Both services on the jobs contract (the default of startLocalPresgen). */
export interface LocalPresgen {
  core: PresgenSimulator;
  avatar: PresgenSimulator;
  close(): Promise<void>;
}

/** Each service on its configured protocol. */
export interface LocalPresgenServices {
  core: AnyPresgenSimulator;
  avatar: AnyPresgenSimulator;
  /** Set when both speak the jobs contract. */
  jobs?: LocalPresgen;
  close(): Promise<void>;
}

export const READY_LINE_PREFIX = 'PRESGEN_SIMULATORS ';

/** Both simulators on the jobs contract. */
export async function startLocalPresgen(opts: Omit<LocalPresgenOptions, 'coreProtocol' | 'avatarProtocol'> = {}): Promise<LocalPresgen> {
  const local = await startLocalPresgenServices({ ...opts, coreProtocol: 'jobs', avatarProtocol: 'jobs' });
  return local.jobs!;
}

export async function startLocalPresgenServices(opts: LocalPresgenOptions = {}): Promise<LocalPresgenServices> {
  const shared = { host: opts.host, jobMs: opts.jobMs, jitter: opts.jitter, timeScale: opts.timeScale, token: opts.token };
  const real = {
    host: opts.host,
    timeScale: opts.timeScale,
    token: opts.token,
    renderMs: opts.renderMs ?? opts.jobMs,
    videoMs: opts.videoMs ?? opts.jobMs,
  };
  const core: AnyPresgenSimulator =
    (opts.coreProtocol ?? 'jobs') === 'jobs'
      ? await startPresgenSimulator({ ...shared, kind: 'core', port: opts.corePort })
      : await startRealPresgenSimulator({ ...real, kind: 'core', port: opts.corePort });
  let avatar: AnyPresgenSimulator;
  try {
    const protocol = opts.avatarProtocol ?? 'jobs';
    avatar =
      protocol === 'jobs'
        ? await startPresgenSimulator({ ...shared, kind: 'avatar', port: opts.avatarPort })
        : await startRealPresgenSimulator({ ...real, kind: protocol === 'presgen-training' ? 'core' : 'avatar', port: opts.avatarPort });
  } catch (err) {
    await core.close();
    throw err;
  }
  const close = async () => {
    await Promise.all([core.close(), avatar.close()]);
  };
  const bothJobs = 'jobsCreated' in core.stats() && 'jobsCreated' in avatar.stats();
  return {
    core,
    avatar,
    close,
    jobs: bothJobs ? { core: core as PresgenSimulator, avatar: avatar as PresgenSimulator, close } : undefined,
  };
}

const CliArgs = z.object({
  'core-port': z.coerce.number().int().min(0).max(65535).default(0),
  'avatar-port': z.coerce.number().int().min(0).max(65535).default(0),
  'job-ms': z.coerce.number().min(0).default(2000),
  jitter: z.coerce.number().min(0).max(1).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  'core-protocol': z.enum(['presgen', 'jobs']).default('jobs'),
  'avatar-protocol': z.enum(['presgen-avatar', 'presgen-training', 'jobs']).default('jobs'),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'core-port': { type: 'string' },
      'avatar-port': { type: 'string' },
      'job-ms': { type: 'string' },
      jitter: { type: 'string' },
      host: { type: 'string' },
      'core-protocol': { type: 'string' },
      'avatar-protocol': { type: 'string' },
    },
  });
  const parsed = CliArgs.safeParse(values);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`);
    process.stderr.write(`invalid arguments:\n${lines.join('\n')}\n`);
    process.exit(2);
  }
  const args = parsed.data;
  const local = await startLocalPresgenServices({
    host: args.host,
    corePort: args['core-port'],
    avatarPort: args['avatar-port'],
    jobMs: args['job-ms'],
    jitter: args.jitter,
    coreProtocol: args['core-protocol'],
    avatarProtocol: args['avatar-protocol'],
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
