import type { Hono } from 'hono';
import { migrationsApplied, type Database } from '../../db/client';
import { OPENMETRICS_CONTENT_TYPE, openMetricsText, registry } from '../../observability/metrics';
import type { AppEnv } from '../openapi';

/**
 * /healthz: the process is alive. /readyz: it can serve (database reachable, migrations applied),
 * with circuit breaker states as detail. /metrics: Prometheus. None of them exposes personal data.
 */
export function mountHealthRoutes(
  app: Hono<AppEnv>,
  deps: { database: Database; breakerStates: () => Record<string, string>; refreshGauges: () => Promise<void> },
): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const checks: Record<string, string> = {};
    let ready: boolean;
    try {
      await deps.database.ping();
      checks.database = 'ok';
      const migrated = await migrationsApplied(deps.database);
      checks.migrations = migrated ? 'ok' : 'pending';
      ready = migrated;
    } catch (err) {
      checks.database = `unreachable: ${(err as Error).message.slice(0, 200)}`;
      checks.migrations = 'unknown';
      ready = false;
    }
    const circuits = deps.breakerStates();
    return c.json({ status: ready ? 'ready' : 'not_ready', driver: deps.database.driver, checks, circuits }, ready ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    await deps.refreshGauges().catch(() => undefined);
    // Prometheus asks for OpenMetrics (which carries the step-latency exemplars); others get the text format.
    if (c.req.header('accept')?.includes('application/openmetrics-text')) {
      return c.body(await openMetricsText(), 200, { 'content-type': OPENMETRICS_CONTENT_TYPE });
    }
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
}
