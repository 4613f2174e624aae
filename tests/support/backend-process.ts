import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * A backend replica in its own OS process (`backend/server.ts` under tsx), for crash,
 * multi-replica and emulator tests (the emulator blocks the test's main thread during
 * synchronous UrlFetch calls, so the backend cannot live there).
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BackendProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything it logged (JSON lines). */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startBackendProcess(
  env: Record<string, string | undefined>,
  opts: { startTimeoutMs?: number } = {},
): Promise<BackendProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'backend/server.ts'], {
    cwd: ROOT,
    // info level at least: the parent reads the "backend listening" line.
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`backend did not start in time:\n${output.slice(-3000)}`)),
      opts.startTimeoutMs ?? 30_000,
    );
    const onData = () => {
      const match = /"url":"(http:\/\/[^"]+)","msg":"backend listening"/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`backend exited with ${code} before listening:\n${output.slice(-3000)}`));
    });
  });

  return {
    url,
    pid: child.pid!,
    child,
    output: () => output,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      // A graceful stop that hangs must not leave a replica behind: SIGKILL after 10 s.
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(force);
    },
  };
}

/** The environment of a replica that shares a test database, identity provider and PresGen simulators. */
export function replicaEnv(shared: {
  databaseUrl: string;
  identity: { jwksUrl: string; audience: string };
  presgen: { core: { url: string }; avatar: { url: string } };
  adminToken: string;
  /** Default: both on the jobs contract, content cache off (what most suites assert on). */
  protocols?: { core: string; avatar: string; contentCache?: boolean };
}): Record<string, string> {
  return {
    DATABASE_URL: shared.databaseUrl,
    GOOGLE_JWKS_URL: shared.identity.jwksUrl,
    GOOGLE_OAUTH_AUDIENCES: shared.identity.audience,
    ADMIN_TOKEN: shared.adminToken,
    PRESGEN_CORE_URL: shared.presgen.core.url,
    PRESGEN_AVATAR_URL: shared.presgen.avatar.url,
    PRESGEN_CORE_PROTOCOL: shared.protocols?.core ?? 'jobs',
    PRESGEN_AVATAR_PROTOCOL: shared.protocols?.avatar ?? 'jobs',
    CONTENT_CACHE_ENABLED: String(shared.protocols?.contentCache ?? false),
    // A lost command acknowledgement is offered again after 3 s, not the production 2 min.
    COMMAND_LEASE_MS: '3000',
  };
}
