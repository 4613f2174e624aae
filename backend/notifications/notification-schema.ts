import { z } from 'zod';

/**
 * The one validation of a notification handed to `NotificationService.enqueue`. Callers are the
 * engine, step 11, the HTTP error handler and the SLA watch; a malformed one is refused with an
 * error naming the field instead of being queued half-formed.
 */

export const NOTIFICATION_KINDS = [
  'workflow_failed',
  'needs_attention',
  'deliverables_ready',
  'completion_reminder',
  'workflow_expired',
  'sla_at_risk',
  'sla_breached',
  'integration_health_report',
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const WorkflowNotificationSchema = z
  .object({
    kind: z.enum(NOTIFICATION_KINDS),
    workflowId: z.string().min(1).max(200),
    /** Dedupe key part: the same kind+key is sent once. */
    key: z.string().min(1).max(300),
    audience: z.enum(['operators', 'instructor']),
    instructorEmail: z.email().optional(),
    subject: z.string().min(1).max(300),
    text: z.string().max(20_000),
  })
  .superRefine((n, ctx) => {
    if (n.audience === 'instructor' && !n.instructorEmail) {
      ctx.addIssue({ code: 'custom', path: ['instructorEmail'], message: 'required when audience is instructor' });
    }
  });

export type Audience = WorkflowNotification['audience'];

/** A notification the engine, a step, the HTTP error handler or the SLA watch hands over. */
export type WorkflowNotification = z.infer<typeof WorkflowNotificationSchema>;

export class InvalidNotificationError extends Error {
  constructor(readonly fields: string[]) {
    super(`invalid notification: ${fields.join('; ')}`);
    this.name = 'InvalidNotificationError';
  }
}

export function parseNotification(input: unknown): WorkflowNotification {
  const parsed = WorkflowNotificationSchema.safeParse(input);
  if (!parsed.success) {
    // Field names and messages only: zod messages do not echo the (possibly personal) value.
    throw new InvalidNotificationError(parsed.error.issues.map((i) => `${i.path.join('.') || '(notification)'}: ${i.message}`));
  }
  return parsed.data;
}
