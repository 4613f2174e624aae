import { loadConfig, type Config } from '../../backend/config';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../backend/runtime';
import type { TestIdentityProvider } from './identity';

/** A real backend (HTTP on loopback, engine, simulators) configured for fast, bounded tests. */

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export function testConfig(
  identity: Pick<TestIdentityProvider, 'jwksUrl' | 'audience'> | undefined,
  env: Record<string, string | undefined> = {},
): Config {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PGLITE_DATA_DIR: 'memory://',
    GOOGLE_JWKS_URL: identity?.jwksUrl ?? 'http://127.0.0.1:9/unused',
    GOOGLE_OAUTH_AUDIENCES: identity?.audience ?? 'unused',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LEASE_MS: '2000',
    RETRY_BASE_MS: '20',
    RETRY_MAX_MS: '300',
    PRESGEN_POLL_MS: '20',
    SIMULATOR_JOB_MS: '20',
    COMMAND_LEASE_MS: '5000',
    // Most suites assert on the jobs contract's simulators (per-key job counts, faults); the real
    // protocols and the content cache have suites of their own (tests/presgen-real).
    PRESGEN_CORE_PROTOCOL: 'jobs',
    PRESGEN_AVATAR_PROTOCOL: 'jobs',
    CONTENT_CACHE_ENABLED: 'false',
    // The weekly report would add an outbox row to suites that count them; its own suite turns it on.
    INTEGRATION_REPORT_ENABLED: 'false',
    ...env,
  });
}

export async function startTestBackend(config: Config, opts: RuntimeOptions = {}): Promise<Runtime & { url: string }> {
  const runtime = await startRuntime(config, opts);
  if (!runtime.url) throw new Error('backend did not listen');
  return runtime as Runtime & { url: string };
}

/** Polls until `check` returns a value (bounded). For state reached asynchronously by the engine. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
  throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${String(last)}` : ''}`);
}
