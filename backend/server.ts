import { ConfigError, loadConfig } from './config';
import { log } from './observability/logger';
import { startRuntime } from './runtime';
import { startTracing } from './observability/tracing';

/** `npm start`: one backend replica. SIGTERM/SIGINT finish the steps in progress, then exit. */
async function main(): Promise<void> {
  let config;
  let tracing;
  try {
    config = loadConfig();
    // Before anything else runs: off (no SDK) unless OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT is set.
    tracing = startTracing();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (tracing.enabled) log().info('tracing: exporting spans over OTLP/HTTP (OTEL_* variables)');
  const runtime = await startRuntime(config);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log().info({ signal }, 'shutting down');
    await runtime.stop();
    await tracing.shutdown().catch(() => undefined); // flush the last spans
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  log().fatal({ err: { message: err?.message, stack: err?.stack } }, 'backend failed to start');
  process.exit(1);
});
