/** Tracing is off unless an OTLP endpoint is set; its variables are validated like all configuration. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../backend/config';
import { loadTracingEnv } from '../../backend/observability/tracing-config';
import {
  injectTraceHeaders,
  startTracing,
  tracingEnabled,
  traceparentOf,
  withSpan,
  workflowTraceId,
} from '../../backend/observability/tracing';

describe('tracing configuration', () => {
  it('is off without an endpoint, and with OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none', () => {
    expect(loadTracingEnv({}).enabled).toBe(false);
    expect(loadTracingEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).enabled).toBe(false);
    expect(loadTracingEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318', OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
    expect(loadTracingEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318', OTEL_TRACES_EXPORTER: 'none' }).enabled).toBe(false);
  });

  it('sends to <endpoint>/v1/traces, or to the traces endpoint as given', () => {
    expect(loadTracingEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318/' })).toEqual({
      enabled: true,
      serviceName: 'presgen-assess',
      tracesUrl: 'http://tempo:4318/v1/traces',
    });
    expect(
      loadTracingEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom',
        OTEL_SERVICE_NAME: 'assess-eu',
      }),
    ).toEqual({
      enabled: true,
      serviceName: 'assess-eu',
      tracesUrl: 'http://b:4318/custom',
    });
  });

  it('refuses a bad value with a ConfigError naming the variable', () => {
    expect(() => loadTracingEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(ConfigError);
    expect(() => loadTracingEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadTracingEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
  });

  it('off, the helpers are plain calls: no SDK, no traceparent, no headers added', async () => {
    const handle = startTracing({});
    expect(handle.enabled).toBe(false);
    expect(tracingEnabled()).toBe(false);
    expect(await withSpan('step X', {}, async (span) => ({ span, tp: traceparentOf() }))).toEqual({ span: undefined, tp: undefined });
    expect(injectTraceHeaders({ accept: 'application/json' })).toEqual({ accept: 'application/json' });
  });

  it('derives the trace id from the workflow id', () => {
    expect(workflowTraceId('0B7C2F4E-5D7A-4C11-9E3B-2A6F1D8C9E01')).toBe('0b7c2f4e5d7a4c119e3b2a6f1d8c9e01');
    expect(workflowTraceId('not-a-uuid')).toMatch(/^[0-9a-f]{32}$/);
    expect(workflowTraceId('not-a-uuid')).toBe(workflowTraceId('not-a-uuid'));
  });
});
