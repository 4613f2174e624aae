import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { openDatabase, rows, type Database } from '../../backend/db/client';
import { getWorkflow, listStepRuns } from '../../backend/db/repositories/workflow-repository';
import { workflows } from '../../backend/db/schema';
import { rootLogger } from '../../backend/observability/logger';
import type { WorkflowEngine } from '../../backend/workflow/engine';
import { PermanentError, TransientError } from '../../backend/errors';
import { NotificationService } from '../../backend/workflow/notifications';
import type { StepHandler } from '../../backend/workflow/step-registry';
import { WORKFLOW_DEFINITION_VERSION, type StepStatus } from '../../shared/workflow-status';
import { eventually } from '../support/backend';
import { fakeEngine, fakeStep, newFakeWorkflow } from '../support/fake-engine';

/** Steps own their retry policy; workflows this deploy cannot run are parked with an alert, never rerouted. PGlite, fake steps. */
describe('engine policies', () => {
  let database: Database;
  let notifications: NotificationService;
  const engines: WorkflowEngine[] = [];

  beforeAll(async () => {
    rootLogger().level = process.env.TEST_LOG_LEVEL ?? 'silent';
    database = await openDatabase({});
    // No channel configured: alerts are recorded as skipped rows, which is what these tests read.
    notifications = new NotificationService({ database, channels: [], operatorEmails: [], workerId: 'unused' });
  });
  afterEach(async () => {
    await Promise.allSettled(engines.splice(0).map((e) => e.stop()));
  });
  afterAll(async () => {
    await database?.close();
  });

  async function run(steps: Map<StepStatus, StepHandler>, prepare?: (id: string) => Promise<void>) {
    const id = await newFakeWorkflow(database);
    await prepare?.(id);
    const engine = fakeEngine(database, { steps, deps: { outboxRows: notifications.rowsFor } });
    engines.push(engine);
    await engine.start();
    const wf = await eventually(
      async () => {
        const w = await getWorkflow(database.db, id);
        return w && ['NEEDS_ATTENTION', 'FAILED', 'COMPLETED'].includes(w.status) && w.leaseOwner === null ? w : undefined;
      },
      { what: 'workflow stopped' },
    );
    const alerts = await rows<{ kind: string }>(database.db, sql`select kind from notification_outbox where workflow_id = ${id}`);
    return { wf, runs: await listStepRuns(database.db, id), alerts: alerts.map((a) => a.kind) };
  }

  it("a step's own attempt budget wins over the engine's", async () => {
    const failing = fakeStep(
      'REQUESTED',
      async () => {
        throw new TransientError('flaky', { reason: 'http_5xx' });
      },
      { retry: { maxAttempts: 2, baseMs: 1, maxMs: 1 } },
    );
    const { wf, runs, alerts } = await run(new Map([['REQUESTED', failing]]));
    expect(wf.status).toBe('NEEDS_ATTENTION');
    expect(runs.map((r) => r.outcome)).toEqual(['retrying', 'failed']);
    expect(new Set(alerts)).toEqual(new Set(['needs_attention']));
  });

  it('a step decides which errors retry', async () => {
    let calls = 0;
    const step = fakeStep(
      'REQUESTED',
      async () => {
        calls++;
        if (calls < 3) throw new PermanentError('eventually consistent 404', { reason: 'http_4xx' });
        return { kind: 'done', output: { ok: true } };
      },
      { retry: { retryable: (e) => e.reason === 'http_4xx', baseMs: 1, maxMs: 1 } },
    );
    const { wf, runs } = await run(
      new Map([
        ['REQUESTED', step],
        [
          'GENERATING_ASSESSMENT',
          fakeStep('GENERATING_ASSESSMENT', async () => {
            throw new PermanentError('stop here', { reason: 'test' });
          }),
        ],
      ]),
    );
    expect(runs.filter((r) => r.step === 'REQUESTED').map((r) => r.outcome)).toEqual(['retrying', 'retrying', 'succeeded']);
    expect(wf.failedStep).toBe('GENERATING_ASSESSMENT');
  });

  it('a workflow started on another definition version is parked with an alert saying why, its step not run', async () => {
    let ran = false;
    const step = fakeStep('REQUESTED', async () => {
      ran = true;
      return { kind: 'done', output: { ok: true } };
    });
    const { wf, runs, alerts } = await run(new Map([['REQUESTED', step]]), async (id) => {
      await database.db
        .update(workflows)
        .set({ definitionVersion: WORKFLOW_DEFINITION_VERSION + 1 })
        .where(eq(workflows.id, id));
    });
    expect(ran).toBe(false);
    expect(wf).toMatchObject({ status: 'NEEDS_ATTENTION', failedStep: 'REQUESTED', runAfter: null });
    expect(wf.lastError).toContain(`definition v${WORKFLOW_DEFINITION_VERSION + 1}`);
    expect(runs.map((r) => r.outcome)).toEqual(['failed']);
    expect(alerts.length).toBeGreaterThan(0);
  });

  it('a step without a handler parks the workflow with an alert instead of looping', async () => {
    const { wf, alerts } = await run(new Map());
    expect(wf).toMatchObject({ status: 'NEEDS_ATTENTION', failedStep: 'REQUESTED' });
    expect(wf.lastError).toContain('no handler registered for step REQUESTED');
    expect(alerts.length).toBeGreaterThan(0);
  });
});
