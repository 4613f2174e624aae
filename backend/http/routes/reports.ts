import { IntegrationHealthQuery, IntegrationHealthReport } from '../../../shared/contracts/reports';
import type { Database } from '../../db/client';
import { integrationHealthReport } from '../../observability/integration-health/report';
import { jsonResponse, newRouter, route, STANDARD_ERRORS } from '../openapi';

/** Operator reports, behind the admin token (mounted under /api/admin by app.ts's guard). */
export function reportRoutes(deps: { database: Database; slaSeconds: number }) {
  const app = newRouter();
  app.openapi(
    route({
      method: 'get',
      path: '/admin/reports/integration-health',
      security: [{ adminToken: [] }],
      summary:
        'Integration health of a period [from, to): error rates, retries, circuit opens, rate-limit waits, duplicates, SLA, attention, quota peaks',
      request: { query: IntegrationHealthQuery },
      responses: { 200: jsonResponse(IntegrationHealthReport, 'The report'), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const report = await integrationHealthReport(deps.database.db, {
        from: new Date(q.from),
        to: new Date(q.to),
        slaSeconds: deps.slaSeconds,
      });
      return c.json(report, 200);
    },
  );
  return app;
}
