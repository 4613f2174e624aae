import { createHash } from 'node:crypto';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TimeInput,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { envDetector, detectResources, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorage } from 'node:async_hooks';
import { loadTracingEnv } from './tracing-config';

/**
 * OpenTelemetry traces. Off (no SDK started, every helper a plain call) unless an OTLP endpoint
 * is configured by the standard OTEL_* variables (see tracing-config.ts).
 *
 * One trace per workflow: its trace id IS the workflow id (a UUID is 16 bytes, like a trace id),
 * and every step span, fan-out item span and Apps Script command span is a child of a root span
 * whose id is derived from the workflow id. So any replica, after any park or crash, continues
 * the same trace with nothing stored, and an operator finds a workflow's trace from its id alone
 * (the id without dashes). The root span itself ("workflow") is exported when the workflow ends,
 * spanning its whole life; time spent parked (learner, Apps Script, PresGen) appears as "waiting"
 * spans between step spans. Why not linked segment traces: a single trace renders the story as
 * one waterfall in Jaeger/Tempo, and the deterministic ids make it cost nothing to continue.
 */

const TRACER_NAME = 'presgen-assess';
let provider: BasicTracerProvider | undefined;

/** Span ids forced for the next span created in this async context (the workflow's root span). */
const forcedIds = new AsyncLocalStorage<{ traceId: string; spanId: string }>();

class WorkflowAwareIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  generateTraceId(): string {
    return forcedIds.getStore()?.traceId ?? this.random.generateTraceId();
  }
  generateSpanId(): string {
    return forcedIds.getStore()?.spanId ?? this.random.generateSpanId();
  }
}

export interface TracingHandle {
  enabled: boolean;
  /** Flushes pending spans; call before the process exits. */
  shutdown(): Promise<void>;
}

/** Starts the SDK when an OTLP endpoint is configured; otherwise leaves the no-op API in place. */
export function startTracing(env: Record<string, string | undefined> = process.env): TracingHandle {
  const settings = loadTracingEnv(env);
  if (!settings.enabled || provider) return { enabled: Boolean(provider), shutdown: async () => {} };
  const resource = resourceFromAttributes({ 'service.name': settings.serviceName }).merge(detectResources({ detectors: [envDetector] }));
  provider = new BasicTracerProvider({
    resource,
    idGenerator: new WorkflowAwareIdGenerator(),
    // The URL from the validated settings; headers, timeout and OTEL_BSP_* are read by the SDK itself.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.tracesUrl }))],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const started = provider;
  return {
    enabled: true,
    async shutdown() {
      await started.shutdown();
      if (provider === started) {
        trace.disable();
        context.disable();
        propagation.disable();
        provider = undefined;
      }
    },
  };
}

export function tracingEnabled(): boolean {
  return provider !== undefined;
}

function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** The trace id of a workflow: its UUID's 16 bytes, or a hash for any other id. */
export function workflowTraceId(workflowId: string): string {
  const hex = workflowId.replace(/-/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) && !/^0+$/.test(hex) ? hex : sha256(`trace:${workflowId}`).slice(0, 32);
}

function workflowRootSpanId(workflowId: string): string {
  return sha256(`workflow-root:${workflowId}`).slice(0, 16);
}

/** The context whose parent is the workflow's root span: steps, items and commands start here. */
export function workflowContext(workflowId: string): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: workflowTraceId(workflowId),
    spanId: workflowRootSpanId(workflowId),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

export interface SpanOptions {
  attributes?: Attributes;
  /** Parent context; default the active one. */
  parent?: Context;
  kind?: SpanKind;
  links?: Link[];
  startTime?: TimeInput;
}

/**
 * Runs `fn` inside a new active span (ended when `fn` settles; a thrown error marks it ERROR with
 * the error's class name only: messages can carry URLs or personal data). With tracing off this
 * is a plain call of `fn`.
 */
export function withSpan<T>(name: string, opts: SpanOptions, fn: (span?: Span) => Promise<T>): Promise<T> {
  if (!provider) return fn();
  const parent = opts.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    { attributes: opts.attributes, kind: opts.kind, links: opts.links, startTime: opts.startTime },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** Records a span that already happened (e.g. time a workflow spent parked). Returns its traceparent. */
export function recordSpan(name: string, opts: SpanOptions & { startTime: TimeInput; endTime?: TimeInput }): string | undefined {
  if (!provider) return undefined;
  const span = tracer().startSpan(
    name,
    { attributes: opts.attributes, kind: opts.kind, links: opts.links, startTime: opts.startTime },
    opts.parent ?? context.active(),
  );
  span.end(opts.endTime);
  return traceparentOf(span);
}

/** Exports the workflow's root span (with the ids its children already reference), once it ends. */
export function recordWorkflowSpan(workflowId: string, startTime: Date, endTime: Date, attributes: Attributes): void {
  if (!provider) return;
  forcedIds.run({ traceId: workflowTraceId(workflowId), spanId: workflowRootSpanId(workflowId) }, () => {
    const span = tracer().startSpan('workflow', { root: true, startTime, attributes: { ...attributes, 'workflow.id': workflowId } });
    span.end(endTime);
  });
}

/** Sets attributes / an ERROR status on the active span, if any. */
export function annotateActiveSpan(attributes: Attributes, error?: string): void {
  const span = provider ? trace.getActiveSpan() : undefined;
  if (!span) return;
  span.setAttributes(attributes);
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
}

/** W3C traceparent of the active span (or of `span`); undefined with tracing off. */
export function traceparentOf(span?: Span): string | undefined {
  if (!provider) return undefined;
  const ctx = span ? trace.setSpan(ROOT_CONTEXT, span) : context.active();
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** Adds traceparent (and tracestate) of the active span to outbound headers. */
export function injectTraceHeaders(headers: Record<string, string>): Record<string, string> {
  if (!provider) return headers;
  propagation.inject(context.active(), headers);
  return headers;
}

/** The context a W3C traceparent describes (undefined if absent or malformed). */
export function contextFromTraceparent(traceparent: string | undefined): Context | undefined {
  if (!provider || !traceparent) return undefined;
  const ctx = propagation.extract(ROOT_CONTEXT, { traceparent });
  return trace.getSpanContext(ctx) ? ctx : undefined;
}

/** A link to the span a traceparent names (e.g. the command span an Apps Script result answers). */
export function linkTo(traceparent: string | undefined, attributes?: Attributes): Link[] {
  const ctx = contextFromTraceparent(traceparent);
  const spanContext = ctx && trace.getSpanContext(ctx);
  return spanContext ? [{ context: spanContext, attributes }] : [];
}

/** A link to the active span (e.g. the inbound request that delivered a result). */
export function linkToActiveSpan(): Link[] {
  const spanContext = provider ? trace.getActiveSpan()?.spanContext() : undefined;
  return spanContext ? [{ context: spanContext }] : [];
}

/** trace_id/span_id of the active span, for log lines (pino mixin). */
export function activeTraceFields(): { trace_id: string; span_id: string } | Record<string, never> {
  if (!provider) return {};
  const sc = trace.getActiveSpan()?.spanContext();
  return sc ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}

/** Trace id of the active span, for metric exemplars. */
export function activeTraceId(): string | undefined {
  return provider ? trace.getActiveSpan()?.spanContext().traceId : undefined;
}

export { SpanKind };

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
