import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { annotateActiveSpan, contextFromTraceparent, SpanKind, tracingEnabled, withSpan } from './tracing';

/**
 * One SERVER span per inbound request, named by method and route pattern (never the raw path),
 * continuing the caller's W3C traceparent when it sent one. With tracing off it only calls next().
 */
export function httpTracing(): MiddlewareHandler {
  return async (c, next) => {
    if (!tracingEnabled() || c.req.path === '/metrics' || c.req.path === '/healthz') return next();
    const parent = contextFromTraceparent(c.req.header('traceparent'));
    await withSpan(
      `${c.req.method} ${c.req.path.startsWith('/api') ? '/api' : c.req.path}`,
      { kind: SpanKind.SERVER, ...(parent ? { parent } : {}) },
      async (span) => {
        await next();
        const route = routePath(c) || 'unmatched';
        span?.updateName(`${c.req.method} ${route}`);
        const workflowId = /\/workflows\/([^/]+)/.exec(c.req.path)?.[1];
        const status = c.res.status;
        annotateActiveSpan(
          {
            'http.request.method': c.req.method,
            'http.route': route,
            'http.response.status_code': status,
            ...(workflowId ? { 'workflow.id': decodeURIComponent(workflowId) } : {}),
          },
          status >= 500 ? `HTTP ${status}` : undefined,
        );
      },
    );
  };
}
