/**
 * Step-latency exemplars: with tracing on, an OpenMetrics scrape of /metrics shows the trace id of
 * the step's span next to its bucket; a plain scrape stays in the Prometheus text format.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeStepDuration, openMetricsText, registry } from '../../backend/observability/metrics';
import { startTracing, withSpan, workflowContext, workflowTraceId, type TracingHandle } from '../../backend/observability/tracing';

let receiver: Server;
let tracing: TracingHandle;

beforeAll(async () => {
  // A loopback sink for the exporter (spans are not checked here; e2e-traces.test.ts does that).
  receiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('{}')));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  tracing = startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}` });
});

afterAll(async () => {
  await tracing?.shutdown();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('step-latency exemplars', () => {
  it('carry the trace id of the step span in OpenMetrics, and leave the Prometheus text format unchanged', async () => {
    expect(tracing.enabled).toBe(true);
    const workflowId = '0b7c2f4e-5d7a-4c11-9e3b-2a6f1d8c9e01';
    await withSpan('step ANALYZING_RESULTS', { parent: workflowContext(workflowId) }, async () =>
      observeStepDuration('ANALYZING_RESULTS', 'succeeded', 0.042),
    );

    const om = await openMetricsText();
    const traceId = workflowTraceId(workflowId);
    expect(traceId).toBe('0b7c2f4e5d7a4c119e3b2a6f1d8c9e01');
    expect(om).toMatch(
      new RegExp(
        `presgen_step_duration_seconds_bucket\\{le="0.05",step="ANALYZING_RESULTS",outcome="succeeded"\\} 1 # \\{trace_id="${traceId}"\\} 0.042 `,
      ),
    );
    expect(om).toMatch(/^# TYPE presgen_workflow_transitions counter$/m);
    expect(om.trimEnd().endsWith('# EOF')).toBe(true);

    // Rendering OpenMetrics did not rename the counters of the Prometheus-format registry.
    const text = await registry.metrics();
    expect(text).toMatch(/^# TYPE presgen_workflow_transitions_total counter$/m);
    expect(text).not.toContain('# {trace_id=');
  });

  it('are absent without a span (tracing on, nothing active)', async () => {
    observeStepDuration('FINALIZING', 'succeeded', 0.3);
    expect(await openMetricsText()).toMatch(/presgen_step_duration_seconds_bucket\{le="0.5",step="FINALIZING",outcome="succeeded"\} 1\n/);
  });
});
