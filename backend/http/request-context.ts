import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { log, withLogContext } from '../observability/logger';
import { httpRequestDuration, httpRequests } from '../observability/metrics';
import type { AppEnv } from './openapi';

const CORRELATION_HEADER = 'x-correlation-id';

/**
 * Every request gets a correlation id (the caller's, if it sent a sane one), echoed in the
 * response and carried by every log line written while serving it. One access log line per
 * request, with the route pattern (never the raw path: ids stay out of metrics labels).
 */
export function requestContext(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header(CORRELATION_HEADER);
    const correlationId = incoming && /^[\w.:-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    c.set('correlationId', correlationId);
    c.header(CORRELATION_HEADER, correlationId);
    const started = performance.now();
    await withLogContext({ correlation_id: correlationId }, async () => {
      await next();
      const route = routePath(c) || 'unmatched';
      const seconds = (performance.now() - started) / 1000;
      const status = c.res.status;
      httpRequests.inc({ route, method: c.req.method, status: `${Math.floor(status / 100)}xx` });
      httpRequestDuration.observe({ route, method: c.req.method }, seconds);
      if (route !== '/metrics' && route !== '/healthz') {
        log().info({ method: c.req.method, route, status, duration_ms: Math.round(seconds * 1000) }, 'http request');
      }
    });
  };
}
