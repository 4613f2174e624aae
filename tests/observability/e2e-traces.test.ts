/**
 * One workflow end to end (the real add-on bundle in the Workspace emulator, the backend and the
 * PresGen simulators in child processes) with tracing on: a real OTLP/HTTP receiver collects the
 * spans and the test reads the workflow's story from them.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { STEP_STATUSES } from '../../shared/workflow-status';
import { startAddonStack, type AddonStack } from '../../scripts/demo/addon-stack';
import { atStatus, pumpUntil } from '../../scripts/demo/drive-workflow';
import type { WorkspaceEmulator } from '../workspace-emulator';
import { learnerSubmits, START_FORM } from '../e2e-addon/support/emulator-helpers';
import { startPresgenProcess, type PresgenProcess } from '../support/presgen-process';
import { startTraceCollector, type CollectedSpan, type TraceCollector } from './support/trace-collector';

const LEARNER = 'ada@learners.example';
const COURSES = 2;
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

let presgen: PresgenProcess;
let collector: TraceCollector;
let stack: AddonStack;
let emulator: WorkspaceEmulator;

beforeAll(async () => {
  presgen = await startPresgenProcess(300);
  collector = await startTraceCollector({ core: presgen.coreUrl, avatar: presgen.avatarUrl });
  stack = await startAddonStack({
    backendEnv: {
      PRESGEN_CORE_URL: collector.proxies.core,
      PRESGEN_AVATAR_URL: collector.proxies.avatar,
      // The simulator process speaks the job protocol (submit + poll).
      PRESGEN_CORE_PROTOCOL: 'jobs',
      PRESGEN_AVATAR_PROTOCOL: 'jobs',
      PRESGEN_POLL_MS: '50',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'presgen-assess-e2e',
    },
    startTimeoutMs: 90_000,
  });
  emulator = stack.newEmulator({ scriptProperties: { PRESGEN_PUMP_AFTER_SUBMIT_MS: '240000', PRESGEN_PUMP_IDLE_STOP_MS: '240000' } });
}, 180_000);

afterAll(async () => {
  await stack?.close();
  await collector?.close();
  await presgen?.close();
});

const pumpNow = () => emulator.run('pumpNow');
/**
 * The instructor API, retrying a read once: while the emulator blocks this thread (a trigger's
 * pump window), the backend closes the idle keep-alive socket, and the next fetch on it fails
 * with "other side closed" before any request is sent.
 */
const api = () =>
  ({ getWorkflow: (id: string) => stack.api.getWorkflow(id).catch(() => stack.api.getWorkflow(id)) }) as unknown as AddonStack['api'];
const traceIdOf = (workflowId: string) => workflowId.replace(/-/g, '');

async function spansOfTrace(traceId: string, until: (spans: CollectedSpan[]) => boolean, deadline: number): Promise<CollectedSpan[]> {
  for (;;) {
    const spans = (await collector.spans()).filter((s) => s.traceId === traceId);
    if (until(spans)) return spans;
    if (Date.now() > deadline) throw new Error(`spans of trace ${traceId} incomplete: ${spans.map((s) => s.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('one workflow, one trace', () => {
  it(
    'tells the whole story: every step once, PresGen calls with the traceparent PresGen received, the Apps Script round trip linked, no personal data',
    { timeout: 180_000 },
    async () => {
      onTestFailed(() => {
        console.error(`backend output (tail):\n${stack.backend.output().slice(-6000)}`);
      });
      emulator.openDocument();
      const wf = emulator.run('startAssessment', { ...START_FORM, courseCount: COURSES, learnerEmail: LEARNER, requestId: 'trace-1' }) as {
        id: string;
      };
      await pumpUntil({
        api: api(),
        workflowId: wf.id,
        pump: pumpNow,
        reached: atStatus('AWAITING_COMPLETION'),
        what: 'AWAITING_COMPLETION',
        deadline: Date.now() + 40_000,
      });
      const { formId } = (await api().getWorkflow(wf.id)).outputs.CREATING_GOOGLE_RESOURCES as { formId: string };
      learnerSubmits(emulator, formId, 'medium', LEARNER);
      await pumpUntil({
        api: api(),
        workflowId: wf.id,
        pump: pumpNow,
        reached: atStatus('COMPLETED'),
        what: 'COMPLETED',
        deadline: Date.now() + 60_000,
        pauseMs: 200,
      });

      const traceId = traceIdOf(wf.id);
      // The root span is exported when the workflow completes; the last step spans are batched with it.
      const spans = await spansOfTrace(
        traceId,
        (s) =>
          s.some((x) => x.name === 'workflow') &&
          s.some((x) => x.name === 'step FINALIZING' && x.attributes['workflow.step.outcome'] === 'succeeded'),
        Date.now() + 20_000,
      );
      const byId = new Map(spans.map((s) => [s.spanId, s]));

      // The root: one "workflow" span, no parent, COMPLETED; service name from OTEL_SERVICE_NAME.
      const roots = spans.filter((s) => s.name === 'workflow');
      expect(roots).toHaveLength(1);
      const root = roots[0];
      expect(root).toMatchObject({
        parentSpanId: '',
        attributes: { 'workflow.id': wf.id, 'workflow.status': 'COMPLETED' },
        service: 'presgen-assess-e2e',
      });

      // Every step: exactly one succeeded attempt, a child of the root; parks are visible as other attempts and waiting spans.
      const stepSpans = spans.filter((s) => s.name.startsWith('step '));
      for (const step of STEP_STATUSES) {
        const succeeded = stepSpans.filter(
          (s) => s.attributes['workflow.step'] === step && s.attributes['workflow.step.outcome'] === 'succeeded',
        );
        expect(succeeded, step).toHaveLength(1);
      }
      expect(stepSpans.every((s) => s.parentSpanId === root.spanId)).toBe(true);
      const waiting = spans.filter((s) => s.name.startsWith('waiting '));
      expect(
        waiting.find((s) => s.attributes['workflow.step'] === 'AWAITING_COMPLETION' && s.attributes['workflow.wait'] === 'parked'),
      ).toBeDefined();
      expect(waiting.every((s) => s.parentSpanId === root.spanId)).toBe(true);
      // Each checkpoint statement is a span under its step.
      expect(spans.filter((s) => s.name === 'db checkpoint').every((s) => byId.get(s.parentSpanId)?.name.startsWith('step '))).toBe(true);

      // PresGen: every request PresGen received carried the traceparent of one of our client spans, and each client span was received.
      const presgenClients = spans.filter(
        (s) => s.kind === SPAN_KIND_CLIENT && String(s.attributes['peer.service']).startsWith('presgen_'),
      );
      const received = (await collector.forwarded()).filter((f) => f.traceparent?.split('-')[1] === traceId);
      expect(presgenClients.length).toBeGreaterThanOrEqual(2 * COURSES * 2); // a submit and at least one poll per deck and video
      expect(received.map((f) => f.traceparent!.split('-')[2]).sort()).toEqual(presgenClients.map((s) => s.spanId).sort());
      for (const service of ['presgen_core', 'presgen_avatar']) {
        const submits = presgenClients.filter(
          (s) => s.attributes['peer.service'] === service && s.attributes['presgen.operation'] === 'submit',
        );
        expect(submits, service).toHaveLength(COURSES);
      }
      // ...under a fan-out item span, under the root.
      for (const client of presgenClients) {
        const parent = byId.get(client.parentSpanId);
        expect(parent?.name).toMatch(/^fanout presgen_(core|avatar) (submit|poll)$/);
        expect(parent?.parentSpanId).toBe(root.spanId);
      }

      // Apps Script: each command's span was handed to the add-on, and its result came back as a child of it, linked to the HTTP request.
      const commands = spans.filter((s) => s.name.startsWith('apps_script command '));
      const results = spans.filter((s) => s.name.startsWith('apps_script result '));
      expect(commands.length).toBeGreaterThanOrEqual(5); // assets, read/gap tab, plan tab, outline tabs, deliverables
      expect(results.length).toBeGreaterThanOrEqual(commands.length);
      const allSpans = await collector.spans();
      for (const result of results) {
        expect(result.attributes['command.trace_echoed']).toBe(true);
        const command = byId.get(result.parentSpanId);
        expect(command?.name).toBe(result.name.replace('result', 'command'));
        expect(command?.attributes['command.id']).toBe(result.attributes['command.id']);
        const request = allSpans.find((s) => s.spanId === result.links[0]?.spanId);
        expect(request).toMatchObject({ kind: SPAN_KIND_SERVER, name: 'POST /api/workspace/commands/:id/complete' });
      }

      // Every span of the story says which workflow it belongs to; no attribute carries personal data.
      expect(spans.filter((s) => s.attributes['workflow.id'] !== wf.id).map((s) => s.name)).toEqual([]);
      const values = spans.flatMap((s) => Object.entries(s.attributes).map(([k, v]) => `${k}=${v}`));
      expect(values.filter((v) => /@|answer|email/i.test(v))).toEqual([]);

      // Log lines written inside a step carry the trace and span ids.
      const completedLine = stack.backend
        .output()
        .split('\n')
        .find((l) => l.includes('"msg":"workflow completed"') && l.includes(wf.id));
      expect(completedLine).toBeDefined();
      const logged = JSON.parse(completedLine!) as { trace_id: string; span_id: string };
      expect(logged.trace_id).toBe(traceId);
      expect(byId.get(logged.span_id)?.name).toBe('step FINALIZING');
    },
  );
});
