import type { WorkflowNotification } from './notification-schema';
import type { NotificationKind } from './notification-schema';
import { redactEmails } from './redact';

/**
 * Message templates, one per kind: the caller supplies the facts (subject line, detail text with
 * links); the template adds what the reader should know and do next. Rendered once at enqueue
 * time, so a queued message does not change if the process is upgraded before it is sent.
 *
 * Nothing here adds learner answers or tokens. Operator messages go to shared channels (Slack),
 * so email addresses in their detail text are masked; instructor messages keep them, because the
 * instructor must know which learner the deliverables are for.
 */

export type ChannelName = 'email' | 'slack';

export interface RenderedMessage {
  subject: string;
  text: string;
}

interface Template {
  headline: string;
  nextStep: string;
}

const TEMPLATES: Record<NotificationKind, Template> = {
  integration_health_report: {
    headline:
      'The weekly integration-health report: error rates, retries, circuit opens, rate-limit waits and duplicates per service; the SLA; workflows that needed attention; Apps Script quota peaks.',
    nextStep: 'Compare with last week; the same figures for any period: GET /api/admin/reports/integration-health?from=…&to=…',
  },
  workflow_failed: {
    headline: 'A workflow failed permanently. Created Google resources and PresGen jobs have been compensated.',
    nextStep: 'Inspect the timeline with GET /api/admin/workflows/{id}; fix the cause, then retry from a step or cancel.',
  },
  needs_attention: {
    headline: 'A workflow stopped and needs an operator decision (retry budget spent or an unhandled error).',
    nextStep: 'Use the operator API: retry (POST /api/admin/workflows/{id}/retry), skip a non-critical step (/skip) or cancel (/cancel).',
  },
  sla_at_risk: {
    headline: 'A workflow is at risk of missing the 30-minute SLA (learner submission to deliverables ready).',
    nextStep: 'Check PresGen latency and the circuit breakers (/readyz); look at GET /api/admin/workflows/{id}.',
  },
  sla_breached: {
    headline: 'A workflow missed the 30-minute SLA (learner submission to deliverables ready).',
    nextStep: 'Look at the step timeline (GET /api/admin/workflows/{id}) to see where the time went.',
  },
  deliverables_ready: {
    headline: 'The personalised training for your learner is ready.',
    nextStep: 'The links are also in the Deliverables tab of the results spreadsheet.',
  },
  completion_reminder: {
    headline: 'Your learner has not completed the assessment form yet.',
    nextStep:
      'Remind the learner to submit the form before it expires. Already done? Use "Resume with Sheet URL" in the PresGen-Assess sidebar.',
  },
  workflow_expired: {
    headline: 'The assessment expired: the learner did not complete the form in time.',
    nextStep: 'Start a new assessment from the PresGen-Assess sidebar when the learner is ready.',
  },
};

const SUBJECT_PREFIX = '[PresGen-Assess]';
const MAX_TEXT = 8_000;

export function renderMessage(n: WorkflowNotification, channel: ChannelName): RenderedMessage {
  const template = TEMPLATES[n.kind];
  const mask = n.audience === 'operators' ? redactEmails : (s: string) => s;
  const detail = mask(n.text).slice(0, MAX_TEXT);
  const subject = `${SUBJECT_PREFIX} ${mask(n.subject)}`.replace(/\s+/g, ' ').slice(0, 250);
  const nextStep = template.nextStep.replaceAll('{id}', n.workflowId);
  const parts = [template.headline, detail, nextStep, `Workflow: ${n.workflowId}`].filter((p) => p.trim().length > 0);
  // Slack renders *bold*; email is plain text with the subject in the header instead.
  const text = channel === 'slack' ? [`*${subject}*`, ...parts].join('\n\n') : parts.join('\n\n');
  return { subject, text };
}
