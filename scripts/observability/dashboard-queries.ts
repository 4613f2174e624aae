/**
 * The PromQL behind every panel of the "Workflow Orchestration" dashboard, kept apart from the
 * Grafana layout so tests and the runbook can reuse the exact expressions.
 *
 * Aggregation choices:
 * - Gauges read from the database at scrape time (workflows by status, command backlog, outbox
 *   backlog) report the same global value on every replica, so they are combined with max(), not
 *   sum(), which would multiply them by the replica count.
 * - Counters and histograms are per replica, so they are sum()med before rate ratios/quantiles.
 * - `$__rate_interval` is Grafana's scrape-aware rate window; `$sla_window` is a dashboard
 *   variable because completions are rare and the SLA quantile needs a longer window.
 */

export const SLA_SECONDS = 1800;

export interface PanelQuery {
  /** Grafana refId, unique within a panel. */
  refId: string;
  expr: string;
  legend: string;
  /** Show the histogram's exemplars (trace ids): a point links to the workflow's trace. */
  exemplar?: boolean;
}

/** Active phase = learner submission to deliverables ready. */
export const slaP95Query: PanelQuery = {
  refId: 'A',
  expr: 'histogram_quantile(0.95, sum by (le) (rate(presgen_workflow_active_phase_duration_seconds_bucket[$sla_window])))',
  legend: 'P95 active phase',
  exemplar: true,
};

export const throughputQuery: PanelQuery = {
  refId: 'A',
  expr: '60 * sum(rate(presgen_workflow_transitions_total{to="COMPLETED"}[$__rate_interval]))',
  legend: 'completed per minute',
};

export const workflowsByStatusQuery: PanelQuery = {
  refId: 'A',
  expr: 'max by (status) (presgen_workflows)',
  legend: '{{status}}',
};

export const needsAttentionQuery: PanelQuery = {
  refId: 'A',
  expr: 'max(presgen_workflows{status="NEEDS_ATTENTION"})',
  legend: 'needs attention',
};

export const stepLatencyQueries: PanelQuery[] = [
  {
    refId: 'A',
    expr: 'histogram_quantile(0.5, sum by (step, le) (rate(presgen_step_duration_seconds_bucket[$__rate_interval])))',
    legend: 'p50 {{step}}',
  },
  {
    refId: 'B',
    expr: 'histogram_quantile(0.95, sum by (step, le) (rate(presgen_step_duration_seconds_bucket[$__rate_interval])))',
    legend: 'p95 {{step}}',
    exemplar: true,
  },
];

export const retriesQuery: PanelQuery = {
  refId: 'A',
  expr: '60 * sum by (step, reason) (rate(presgen_step_retries_total[$__rate_interval]))',
  legend: '{{step}} / {{reason}}',
};

/** Every outcome except success counts as an error (timeouts, 5xx, 429, circuit_open, 4xx). */
export const apiErrorRatioQuery: PanelQuery = {
  refId: 'A',
  expr:
    'sum by (service) (rate(presgen_external_requests_total{outcome!="success"}[$__rate_interval]))' +
    ' / sum by (service) (rate(presgen_external_requests_total[$__rate_interval]))',
  legend: '{{service}}',
};

export const apiLatencyQuery: PanelQuery = {
  refId: 'A',
  expr: 'histogram_quantile(0.95, sum by (service, le) (rate(presgen_external_request_duration_seconds_bucket[$__rate_interval])))',
  legend: 'p95 {{service}}',
};

/** 0 closed, 1 half-open, 2 open; max so one replica's open breaker shows. */
export const circuitStateQuery: PanelQuery = {
  refId: 'A',
  expr: 'max by (service) (presgen_circuit_state)',
  legend: '{{service}}',
};

export const commandBacklogQueries: PanelQuery[] = [
  { refId: 'A', expr: 'max(presgen_workspace_commands_pending)', legend: 'pending commands' },
  { refId: 'B', expr: 'max(presgen_workspace_command_oldest_age_seconds)', legend: 'oldest command age' },
];

export const quotaUsageQuery: PanelQuery = {
  refId: 'A',
  expr: 'max by (service) (presgen_apps_script_quota_usage_ratio)',
  legend: '{{service}}',
};

export const notificationQueries: PanelQuery[] = [
  { refId: 'A', expr: 'max(presgen_notification_outbox_backlog)', legend: 'outbox backlog' },
  {
    refId: 'B',
    expr: '60 * sum by (channel) (rate(presgen_notifications_total{outcome="failed"}[$__rate_interval]))',
    legend: 'failed per minute {{channel}}',
  },
];

/** Inbound HTTP, by route pattern (never raw paths). */
export const httpRateQuery: PanelQuery = {
  refId: 'A',
  expr: 'sum by (route) (rate(presgen_http_requests_total[$__rate_interval]))',
  legend: '{{route}}',
};

export const httpErrorRatioQuery: PanelQuery = {
  refId: 'A',
  expr: 'sum by (route) (rate(presgen_http_requests_total{status="5xx"}[$__rate_interval])) / sum by (route) (rate(presgen_http_requests_total[$__rate_interval]))',
  legend: '{{route}}',
};

export const httpLatencyQuery: PanelQuery = {
  refId: 'A',
  expr: 'histogram_quantile(0.95, sum by (route, le) (rate(presgen_http_request_duration_seconds_bucket[$__rate_interval])))',
  legend: 'p95 {{route}}',
};
