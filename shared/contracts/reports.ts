import { z } from 'zod';

/** GET /api/admin/reports/integration-health: the period, `from` inclusive, `to` exclusive. */
export const IntegrationHealthQuery = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { path: ['to'], message: 'must be after from' })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 93 * 86_400_000, { path: ['to'], message: 'period longer than 93 days' });
export type IntegrationHealthQuery = z.infer<typeof IntegrationHealthQuery>;

export const ServiceOperationHealth = z.object({
  service: z.string(),
  operation: z.string(),
  /** Attempts (step runs that did work, PresGen jobs' submissions, Apps Script command deliveries). */
  attempts: z.number().int(),
  /** Attempts that ended in an error (retried or given up). */
  errors: z.number().int(),
  errorRate: z.number(),
  retries: z.number().int(),
  /** Gave up: FAILED / NEEDS_ATTENTION step runs, failed PresGen jobs or commands. */
  givenUp: z.number().int(),
  /** Work sent again with the same idempotency key (a PresGen job resubmitted, a command re-offered): PresGen or the add-on may have seen it twice. */
  possibleDuplicates: z.number().int(),
});

export const IntegrationHealthReport = z.object({
  from: z.string(),
  to: z.string(),
  generatedAt: z.string(),
  services: z.array(ServiceOperationHealth),
  /** Per service: circuit opens and rate-limit waits (counted per hour; at least these many). */
  events: z.array(z.object({ service: z.string(), circuitOpens: z.number().int(), rateLimitWaits: z.number().int() })),
  sla: z.object({
    completed: z.number().int(),
    p50Seconds: z.number().nullable(),
    p95Seconds: z.number().nullable(),
    overSla: z.number().int(),
    slaSeconds: z.number(),
  }),
  attention: z.array(
    z.object({ workflowId: z.string(), status: z.string(), step: z.string().nullable(), reason: z.string(), at: z.string() }),
  ),
  /** Highest daily Apps Script usage reported by any instructor's add-on, per service. */
  quotaPeaks: z.array(
    z.object({
      service: z.string(),
      day: z.string(),
      peak: z.number().int(),
      limit: z.number().int().nullable(),
      ratio: z.number().nullable(),
    }),
  ),
});
export type IntegrationHealthReport = z.infer<typeof IntegrationHealthReport>;
