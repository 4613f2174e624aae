import client from 'prom-client';
import { activeTraceId } from './tracing';
import { STEP_STATUSES, WorkflowStatus } from '../../shared/workflow-status';

/**
 * Every metric the service exports, in one registry. Base units (seconds), `_total` on counters,
 * bounded labels (no ids, no emails). Counters for known label sets start at 0 so rate() and
 * alert expressions see a series before the first event.
 */

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'presgen_process_' });

export const SERVICES = ['presgen_core', 'presgen_avatar', 'assessment_api', 'slack', 'smtp'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const stepDuration = new client.Histogram({
  name: 'presgen_step_duration_seconds',
  help: 'Duration of one step attempt, by step and outcome.',
  labelNames: ['step', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800],
  // Exemplars (trace_id of the step's span) are exposed to OpenMetrics scrapes: the SLA panel links to the trace.
  enableExemplars: true,
  // prom-client refuses exemplars on a Prometheus-format registry at construction; registered
  // below instead (the Prometheus text format simply leaves exemplars out).
  registers: [],
});
registry.registerMetric(stepDuration);

/** Observes one step attempt, with the active trace id as exemplar when tracing is on. */
export function observeStepDuration(step: string, outcome: string, seconds: number): void {
  const traceId = activeTraceId();
  // prom-client's types restrict exemplar labels to the metric's label names; any label set is valid.
  const exemplarLabels = (traceId ? { trace_id: traceId } : {}) as Record<'step', string>;
  stepDuration.observe({ labels: { step, outcome }, value: seconds, exemplarLabels });
}

/**
 * The registry in OpenMetrics format (the format that carries exemplars), for scrapers that ask
 * for it. prom-client renames counters in place while rendering OpenMetrics, so each metric is
 * rendered through a prototype view and the Prometheus-format registry stays untouched.
 */
export async function openMetricsText(): Promise<string> {
  const view = new client.Registry<typeof client.openMetricsContentType>();
  view.setContentType(client.openMetricsContentType);
  for (const metric of registry.getMetricsAsArray()) view.registerMetric(Object.create(metric));
  return view.metrics();
}

export const OPENMETRICS_CONTENT_TYPE = client.openMetricsContentType;

/** Active phase: the learner's submission to "deliverables ready". The SLA is 30 min. */
export const activePhaseDuration = new client.Histogram({
  name: 'presgen_workflow_active_phase_duration_seconds',
  help: 'Time from the learner submission to deliverables ready (SLA 1800 s).',
  buckets: [60, 300, 600, 900, 1200, 1500, 1800, 2400, 3600, 5400, 7200],
  // Exemplar: the workflow's trace id, so a slow point on the SLA panel opens its trace.
  enableExemplars: true,
  registers: [],
});
registry.registerMetric(activePhaseDuration);

/** Observes a workflow's active phase, with its trace id as exemplar when tracing is on. */
export function observeActivePhase(seconds: number): void {
  const traceId = activeTraceId();
  activePhaseDuration.observe({ value: seconds, exemplarLabels: traceId ? { trace_id: traceId } : {} });
}

export const stepRetries = new client.Counter({
  name: 'presgen_step_retries_total',
  help: 'Step attempts that ended in a scheduled retry, by step and reason.',
  labelNames: ['step', 'reason'] as const,
  registers: [registry],
});

export const workflowTransitions = new client.Counter({
  name: 'presgen_workflow_transitions_total',
  help: 'Applied workflow state transitions, by target status.',
  labelNames: ['to'] as const,
  registers: [registry],
});

export const illegalTransitions = new client.Counter({
  name: 'presgen_workflow_illegal_transitions_total',
  help: 'Rejected (illegal) transition attempts.',
  registers: [registry],
});

export const externalRequests = new client.Counter({
  name: 'presgen_external_requests_total',
  help: 'Outbound HTTP requests, by service, operation and outcome (success, client_error, server_error, rate_limited, timeout, network_error, circuit_open).',
  labelNames: ['service', 'operation', 'outcome'] as const,
  registers: [registry],
});

export const externalRequestDuration = new client.Histogram({
  name: 'presgen_external_request_duration_seconds',
  help: 'Outbound HTTP request duration.',
  labelNames: ['service', 'operation', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const circuitState = new client.Gauge({
  name: 'presgen_circuit_state',
  help: 'Circuit breaker state per service: 0 closed, 1 half-open, 2 open.',
  labelNames: ['service'] as const,
  registers: [registry],
});

export const workflowsByStatus = new client.Gauge({
  name: 'presgen_workflows',
  help: 'Workflows by current status (read from the database at scrape time).',
  labelNames: ['status'] as const,
  registers: [registry],
});

export const commandsPending = new client.Gauge({
  name: 'presgen_workspace_commands_pending',
  help: 'Workspace commands waiting for Apps Script (pending or leased).',
  registers: [registry],
});

export const oldestCommandAge = new client.Gauge({
  name: 'presgen_workspace_command_oldest_age_seconds',
  help: 'Age of the oldest workspace command not yet completed.',
  registers: [registry],
});

export const notificationBacklog = new client.Gauge({
  name: 'presgen_notification_outbox_backlog',
  help: 'Notifications in the outbox not yet delivered.',
  registers: [registry],
});

export const notificationsSent = new client.Counter({
  name: 'presgen_notifications_total',
  help: 'Notification delivery attempts, by channel and outcome.',
  labelNames: ['channel', 'outcome'] as const,
  registers: [registry],
});

export const appsScriptQuotaUsage = new client.Gauge({
  name: 'presgen_apps_script_quota_usage_ratio',
  help: 'Daily Apps Script quota used, as reported by the add-on (0..1 of the daily limit), by service.',
  labelNames: ['service'] as const,
  registers: [registry],
});

export const httpRequests = new client.Counter({
  name: 'presgen_http_requests_total',
  help: 'Inbound HTTP requests, by route pattern, method and status class.',
  labelNames: ['route', 'method', 'status'] as const,
  registers: [registry],
});

export const httpRequestDuration = new client.Histogram({
  name: 'presgen_http_request_duration_seconds',
  help: 'Inbound HTTP request duration by route pattern.',
  labelNames: ['route', 'method'] as const,
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  registers: [registry],
});

export const presgenPossibleDuplicates = new client.Counter({
  name: 'presgen_possible_duplicate_submissions_total',
  help: 'Submissions to a PresGen API without idempotency key that repeat an earlier attempt whose outcome is unknown (a replica died mid-call, or the call timed out): PresGen may have rendered twice.',
  labelNames: ['service'] as const,
  registers: [registry],
});

export const contentCacheRequests = new client.Counter({
  name: 'presgen_content_cache_requests_total',
  help: 'Content-cache lookups for PresGen renders, by service and outcome (hit: stored render reused; shared: waited for an identical render in progress; miss: rendered).',
  labelNames: ['service', 'outcome'] as const,
  registers: [registry],
});

/** Start known counters at 0 and gauges at a defined value. */
function initialiseKnownSeries(): void {
  for (const status of WorkflowStatus.options) {
    workflowTransitions.inc({ to: status }, 0);
    workflowsByStatus.set({ status }, 0);
  }
  for (const step of STEP_STATUSES) {
    for (const reason of ['http_5xx', 'http_429', 'timeout', 'network', 'circuit_open', 'unexpected']) {
      stepRetries.inc({ step, reason }, 0);
    }
  }
  for (const service of SERVICES) {
    circuitState.set({ service }, 0);
  }
  for (const service of ['presgen_core', 'presgen_avatar']) {
    presgenPossibleDuplicates.inc({ service }, 0);
    for (const outcome of ['hit', 'shared', 'miss']) contentCacheRequests.inc({ service, outcome }, 0);
  }
  for (const channel of ['email', 'slack']) {
    // given_up at 0 too: the notifications alert fires on its first increase.
    for (const outcome of ['sent', 'failed', 'given_up']) notificationsSent.inc({ channel, outcome }, 0);
  }
  illegalTransitions.inc(0);
  commandsPending.set(0);
  oldestCommandAge.set(0);
  notificationBacklog.set(0);
}
initialiseKnownSeries();
