import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../backend/db/client';
import {
  createWorkflow,
  getWorkflow,
  IllegalTransitionError,
  listAuditEvents,
  listStepRuns,
  listWorkflows,
  updateWorkflowStatus,
  VersionConflictError,
  wakeWorkflow,
} from '../../backend/db/repositories/workflow-repository';
import { checkpointStep, leaseNextDueWorkflows } from '../../backend/workflow/checkpoints';
import type { CreateWorkflowRequest } from '../../shared/contracts/api';
import { createTestDatabase, DRIVERS, type TestDatabase } from '../support/postgres';
import { teardown } from '../support/teardown';

/** The one data layer, the same suite on embedded PGlite and on the machine's PostgreSQL. */
describe.each(DRIVERS)('workflow repository (%s)', (driver) => {
  let database: Database;
  let pg: TestDatabase | undefined;
  const owner = { ownerEmail: 'owner@school.example', ownerSub: 'sub-1' };
  const request = (extra: Partial<CreateWorkflowRequest> = {}): CreateWorkflowRequest => ({
    certificationId: 'aws-saa-c03',
    learnerEmail: 'learner@example.com',
    courseCount: 2,
    slidesPerCourse: 5,
    avatarVideos: true,
    shareWithLearner: true,
    spreadsheetId: 'sheet-1',
    ...extra,
  });

  beforeAll(async () => {
    if (driver === 'postgres') pg = await createTestDatabase();
    database = await openDatabase({ databaseUrl: pg?.url });
  });
  afterAll(async () => {
    await teardown(
      () => database?.close(),
      () => pg?.drop(),
    );
  });

  it('creates a workflow due now with a created audit event, idempotent on requestId', async () => {
    const first = await createWorkflow(database.db, { ...owner, request: request({ requestId: 'click-1' }) });
    const second = await createWorkflow(database.db, { ...owner, request: request({ requestId: 'click-1' }) });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.workflow.id).toBe(first.workflow.id);
    expect(first.workflow.status).toBe('REQUESTED');
    expect(first.workflow.version).toBe(0);
    expect(first.workflow.runAfter).not.toBeNull();
    const audit = await listAuditEvents(database.db, first.workflow.id);
    expect(audit.map((a) => a.type)).toEqual(['created']);
  });

  it('gets and lists by owner and status with keyset pagination', async () => {
    const other = { ownerEmail: 'other@school.example', ownerSub: 'sub-2' };
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createWorkflow(database.db, { ...other, request: request() })).workflow.id);
    expect((await getWorkflow(database.db, ids[0]))?.ownerEmail).toBe(other.ownerEmail);
    expect(await getWorkflow(database.db, 'nope')).toBeUndefined();

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listWorkflows(database.db, { ownerEmail: other.ownerEmail, limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((w) => w.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(seen).toHaveLength(5);

    await updateWorkflowStatus(database.db, { id: ids[0], expectedVersion: 0, to: 'CANCELLED', actor: 'test' });
    const cancelled = await listWorkflows(database.db, { ownerEmail: other.ownerEmail, status: 'CANCELLED', limit: 10 });
    expect(cancelled.items.map((w) => w.id)).toEqual([ids[0]]);
  });

  it('updates status with compare-and-set on version and audits it', async () => {
    const { workflow } = await createWorkflow(database.db, { ...owner, request: request() });
    const updated = await updateWorkflowStatus(database.db, {
      id: workflow.id,
      expectedVersion: 0,
      to: 'GENERATING_ASSESSMENT',
      actor: 'tester',
    });
    expect(updated.version).toBe(1);
    await expect(
      updateWorkflowStatus(database.db, { id: workflow.id, expectedVersion: 0, to: 'NEEDS_ATTENTION', actor: 'tester' }),
    ).rejects.toBeInstanceOf(VersionConflictError);
    expect((await getWorkflow(database.db, workflow.id))?.status).toBe('GENERATING_ASSESSMENT');
    const audit = await listAuditEvents(database.db, workflow.id);
    expect(audit.at(-1)).toMatchObject({ type: 'transition', fromStatus: 'REQUESTED', toStatus: 'GENERATING_ASSESSMENT', actor: 'tester' });
  });

  it('rejects and records an illegal transition without applying it', async () => {
    const { workflow } = await createWorkflow(database.db, { ...owner, request: request() });
    await expect(
      updateWorkflowStatus(database.db, { id: workflow.id, expectedVersion: 0, to: 'FINALIZING', actor: 'tester' }),
    ).rejects.toBeInstanceOf(IllegalTransitionError);
    const after = await getWorkflow(database.db, workflow.id);
    expect(after?.status).toBe('REQUESTED');
    expect(after?.version).toBe(0);
    const audit = await listAuditEvents(database.db, workflow.id);
    expect(audit.at(-1)).toMatchObject({ type: 'illegal_transition_rejected', fromStatus: 'REQUESTED', toStatus: 'FINALIZING' });
  });

  it('leases a due workflow to one worker only, and fences checkpoints by version and lease', async () => {
    const { workflow } = await createWorkflow(database.db, { ...owner, request: request() });
    const a = await leaseNextDueWorkflows(database.db, 'worker-a', 1000, 5000);
    const b = await leaseNextDueWorkflows(database.db, 'worker-b', 1000, 5000);
    const claimedByA = a.find((w) => w.id === workflow.id);
    expect(claimedByA).toBeDefined();
    expect(b.find((w) => w.id === workflow.id)).toBeUndefined();

    const base = {
      workflowId: workflow.id,
      from: 'REQUESTED' as const,
      to: 'GENERATING_ASSESSMENT' as const,
      step: 'REQUESTED' as const,
      stepAttempt: 1,
      nextAttempt: 1,
      outcome: 'succeeded' as const,
      output: { ok: true },
      startedAt: new Date(),
      schedule: { kind: 'continue' as const, leaseMs: 5000 },
      actor: 'worker',
    };
    expect(await checkpointStep(database.db, { ...base, workerId: 'worker-b', expectedVersion: claimedByA!.version })).toBeNull();
    expect(await checkpointStep(database.db, { ...base, workerId: 'worker-a', expectedVersion: claimedByA!.version - 1 })).toBeNull();
    const ok = await checkpointStep(database.db, { ...base, workerId: 'worker-a', expectedVersion: claimedByA!.version });
    expect(ok?.version).toBe(claimedByA!.version + 1);
    // The same checkpoint again (a zombie retry) is fenced off: the output is written once.
    expect(await checkpointStep(database.db, { ...base, workerId: 'worker-a', expectedVersion: claimedByA!.version })).toBeNull();

    const after = await getWorkflow(database.db, workflow.id);
    expect(after?.status).toBe('GENERATING_ASSESSMENT');
    expect(after?.outputs).toEqual({ REQUESTED: { ok: true } });
    const runs = await listStepRuns(database.db, workflow.id);
    expect(runs.map((r) => [r.step, r.outcome])).toEqual([['REQUESTED', 'succeeded']]);
  });

  /** Parks a claimed workflow at step 1 until an event, as the engine does. */
  const park = (workflowId: string, claimed: { version: number; wakeSeq: number }) =>
    checkpointStep(database.db, {
      workflowId,
      workerId: 'worker-p',
      expectedVersion: claimed.version,
      from: 'REQUESTED',
      to: 'REQUESTED',
      step: 'REQUESTED',
      stepAttempt: 1,
      nextAttempt: 1,
      outcome: 'parked',
      startedAt: new Date(),
      schedule: { kind: 'park', until: null, seenWakeSeq: claimed.wakeSeq },
      actor: 'worker-p',
    });

  it('a wake-up that races with a park makes the workflow due instead of losing it', async () => {
    const { workflow } = await createWorkflow(database.db, { ...owner, request: request() });
    const [claimed] = (await leaseNextDueWorkflows(database.db, 'worker-p', 1000, 5000)).filter((w) => w.id === workflow.id);
    await wakeWorkflow(database.db, workflow.id); // e.g. a command result arrives while the step runs
    await park(workflow.id, claimed);
    const after = await getWorkflow(database.db, workflow.id);
    expect(after?.runAfter).not.toBeNull();
    expect(after?.leaseOwner).toBeNull();

    // Without a wake-up, the park sleeps until an event.
    const [again] = (await leaseNextDueWorkflows(database.db, 'worker-p', 1000, 5000)).filter((w) => w.id === workflow.id);
    await park(workflow.id, again);
    expect((await getWorkflow(database.db, workflow.id))?.runAfter).toBeNull();
  });
});
