import client from 'prom-client';
import { registry } from '../../backend/observability/metrics';

/**
 * Series names the backend exports (histograms expand to _bucket/_sum/_count), so dashboards and
 * alert rules cannot drift to a metric nobody emits.
 */
export function registeredMetricNames(): string[] {
  return registry.getMetricsAsArray().flatMap((metric) => {
    const { name } = metric as unknown as { name: string };
    return metric instanceof client.Histogram ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
  });
}

/** The presgen_* series a PromQL expression reads. */
export function metricNamesIn(expr: string): string[] {
  return [...new Set(expr.match(/\bpresgen_[a-z0-9_]+/g) ?? [])];
}
