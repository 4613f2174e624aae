import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, rows, type Database } from '../../backend/db/client';
import { getWorkflow, listAuditEvents } from '../../backend/db/repositories/workflow-repository';
import { rootLogger } from '../../backend/observability/logger';
import type { NotificationChannel, OutgoingMessage } from '../../backend/notifications/channel';
import type { EngineFaultPoint, WorkflowEngine } from '../../backend/workflow/engine';
import { PermanentError, TransientError } from '../../backend/errors';
import { NotificationService } from '../../backend/workflow/notifications';
import type { StepHandler } from '../../backend/workflow/step-registry';
import type { StepStatus } from '../../shared/workflow-status';
import { eventually } from '../support/backend';
import { fakeEngine, fakeStep, newFakeWorkflow } from '../support/fake-engine';
import { createTestDatabase, DRIVERS, type TestDatabase } from '../support/postgres';
import { teardown } from '../support/teardown';

/**
 * The failure path is a chain of writes: the fenced FAILED/NEEDS_ATTENTION checkpoint (with its
 * alert in the same statement), then one compensation write per step, then the fenced finish.
 * A fault hook "kills" the worker between each pair (its segment is abandoned and its heartbeat
 * stops, exactly what a dead process leaves behind); a second worker takes over once the lease
 * expires. Fake steps and a recording channel: no HTTP, no simulators.
 */

const LEASE_MS = 300;

class SimulatedCrash extends Error {}

/** A Slack-named channel that records what it was asked to send. */
class RecordingChannel implements NotificationChannel {
  readonly name = 'slack' as const;
  readonly secrets: readonly string[] = [];
  readonly sent: OutgoingMessage[] = [];
  async send(message: OutgoingMessage): Promise<void> {
    this.sent.push(message);
  }
  async close(): Promise<void> {}
}

interface Scenario {
  /** Who ran each compensation, in order. */
  compensatedBy: string[];
  steps: Map<StepStatus, StepHandler>;
}

/** Step 1 succeeds; step 2 created something external (has an undo); step 3 fails with `error`. */
function fakeSteps(error: () => Error): Scenario {
  const compensatedBy: string[] = [];
  const steps = new Map<StepStatus, StepHandler>([
    ['REQUESTED', fakeStep('REQUESTED')],
    [
      'GENERATING_ASSESSMENT',
      fakeStep('GENERATING_ASSESSMENT', undefined, {
        compensate: async ({ workflow }) => {
          compensatedBy.push(workflow.leaseOwner ?? 'nobody');
          return { action: 'external_thing_undone' };
        },
      }),
    ],
    [
      'CREATING_GOOGLE_RESOURCES',
      fakeStep('CREATING_GOOGLE_RESOURCES', async () => {
        throw error();
      }),
    ],
  ]);
  return { compensatedBy, steps };
}

describe.each(DRIVERS)('crash between the writes of the failure path (%s)', (driver) => {
  let pg: TestDatabase | undefined;
  let database: Database;
  let channel: RecordingChannel;
  let notifications: NotificationService;
  const engines: WorkflowEngine[] = [];

  beforeAll(async () => {
    rootLogger().level = process.env.TEST_LOG_LEVEL ?? 'silent';
    pg = driver === 'postgres' ? await createTestDatabase('presgen_crashwrites') : undefined;
    try {
      database = await openDatabase(pg ? { databaseUrl: pg.url, poolSize: 4 } : {});
    } catch (err) {
      await pg?.drop();
      throw err;
    }
    channel = new RecordingChannel();
    notifications = new NotificationService({
      database,
      channels: [channel],
      operatorEmails: [],
      workerId: 'dispatcher',
      dispatcher: { retryBaseMs: 1, retryMaxMs: 5, idleWaitMs: 50 },
    });
    await notifications.start();
  });
  afterEach(async () => {
    await Promise.allSettled(engines.splice(0).map((e) => e.stop()));
  });
  afterAll(async () => {
    await teardown(
      () => notifications?.stop(),
      () => database?.close(),
      () => pg?.drop(),
    );
  });

  function engine(workerId: string, scenario: Scenario, fault?: (point: EngineFaultPoint) => void | Promise<void>): WorkflowEngine {
    const e = fakeEngine(database, {
      steps: scenario.steps,
      workerId,
      leaseMs: LEASE_MS,
      maxAttempts: 1,
      deps: { outboxRows: notifications.rowsFor },
      fault: fault ? (point) => fault(point) : undefined,
    });
    engines.push(e);
    return e;
  }

  async function settled(id: string) {
    return eventually(
      async () => {
        const wf = await getWorkflow(database.db, id);
        return wf && (wf.status === 'FAILED' || wf.status === 'NEEDS_ATTENTION') && wf.compensationKey === null && wf.leaseOwner === null
          ? wf
          : undefined;
      },
      { what: `workflow ${id} settled`, timeoutMs: 20_000 },
    );
  }

  async function alertsFor(id: string) {
    const sentRows = async () =>
      Number(
        (
          await rows<{ n: number }>(
            database.db,
            sql`select count(*)::int as n from notification_outbox where workflow_id = ${id} and status = 'sent'`,
          )
        )[0].n,
      );
    // The channel receives the message before the dispatcher marks its row sent: wait for both.
    await eventually(async () => channel.sent.some((m) => m.subject.includes(id)) && (await sentRows()) > 0, { what: 'alert delivered' });
    return { delivered: channel.sent.filter((m) => m.subject.includes(id)).length, sentRows: await sentRows() };
  }

  async function compensationEvents(id: string) {
    return (await listAuditEvents(database.db, id)).filter((a) => a.type === 'compensation');
  }

  const points: EngineFaultPoint[] = [
    'after-failure-checkpoint',
    'before-compensate-step',
    'after-compensate-step',
    'before-compensation-finish',
  ];

  it.each(points)('killed at %s: another worker finishes, undo runs at most once per step, one alert', async (point) => {
    const scenario = fakeSteps(() => new PermanentError('form rejected', { reason: 'http_4xx' }));
    const id = await newFakeWorkflow(database);
    let crashed = false;
    const doomed = engine('worker-doomed', scenario, (at) => {
      // Once dead, it stays dead: should it claim the workflow again before being stopped, it crashes again.
      if (at === point || crashed) {
        crashed = true;
        throw new SimulatedCrash(`killed at ${at}`);
      }
    });
    await doomed.start();
    await eventually(async () => crashed, { what: `crash at ${point}` });
    await doomed.stop();
    // The dead worker's lease is still on the row: the workflow is claimable once it expires.
    const orphan = await getWorkflow(database.db, id);
    expect(orphan).toMatchObject({ status: 'FAILED', compensationKey: expect.any(String), leaseOwner: 'worker-doomed' });
    expect(orphan!.runAfter).not.toBeNull();

    await engine('worker-heir', scenario).start();
    const wf = await settled(id);
    expect(wf.status).toBe('FAILED');
    expect(wf.failedStep).toBe('CREATING_GOOGLE_RESOURCES');
    // Before the undo was audited it may have run on the dead worker too (it is idempotent); once
    // audited, the heir skips it. Either way the audit trail has it once.
    const expected = point === 'after-compensate-step' || point === 'before-compensation-finish' ? ['worker-doomed'] : ['worker-heir'];
    expect(scenario.compensatedBy).toEqual(expected);
    expect(await compensationEvents(id)).toHaveLength(1);
    expect((await listAuditEvents(database.db, id)).filter((a) => a.type === 'compensation_completed')).toHaveLength(1);
    expect(await alertsFor(id)).toEqual({ delivered: 1, sentRows: 1 });
  });

  it('a worker whose lease was lost after the FAILED checkpoint compensates nothing', async () => {
    const scenario = fakeSteps(() => new PermanentError('form rejected', { reason: 'http_4xx' }));
    const id = await newFakeWorkflow(database);
    let stolen = false;
    const slow = engine('worker-slow', scenario, async (at) => {
      if (at !== 'after-failure-checkpoint' || stolen) return;
      // Another worker claimed the workflow meanwhile (as after an expired lease): new owner, new version.
      await database.db.execute(
        sql`update workflows set lease_owner = 'worker-thief', lease_expires_at = now() - interval '1 second', version = version + 1 where id = ${id}`,
      );
      stolen = true;
    });
    await slow.start();
    await eventually(async () => stolen, { what: 'lease stolen' });
    await eventually(async () => (await listAuditEvents(database.db, id)).some((a) => a.type === 'compensation'), {
      what: 'compensated by the new owner',
    });
    await settled(id);
    // Only the workflow's owner at the time compensated (worker-slow's own segment was fenced off
    // and it claimed the workflow again only after the stolen lease expired).
    expect(scenario.compensatedBy).toHaveLength(1);
    const [event] = await compensationEvents(id);
    expect(event.actor).toBe(scenario.compensatedBy[0]);
    expect(await alertsFor(id)).toEqual({ delivered: 1, sentRows: 1 });
  });

  it('NEEDS_ATTENTION: one statement writes the state and its alert (no second write to crash before), delivered once', async () => {
    const scenario = fakeSteps(() => new TransientError('PresGen down', { reason: 'http_5xx', budgetSpent: true }));
    const id = await newFakeWorkflow(database);
    await engine('worker-a', scenario).start();
    const wf = await settled(id);
    expect(wf.status).toBe('NEEDS_ATTENTION');
    // Not runnable (a person decides), but visible: the alert is there.
    expect(wf.runAfter).toBeNull();
    expect(scenario.compensatedBy).toEqual([]);
    expect(await alertsFor(id)).toEqual({ delivered: 1, sentRows: 1 });
  });
});
