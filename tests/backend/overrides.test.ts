import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { rows } from '../../backend/db/client';
import { getWorkflow, listAuditEvents } from '../../backend/db/repositories/workflow-repository';
import { workflows } from '../../backend/db/schema';
import type { WorkflowNotification } from '../../backend/workflow/engine-deps';
import { TestApiClient } from '../support/api-client';
import { TEST_ADMIN_TOKEN, eventually, startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { ScriptedAppsScript } from '../support/scripted-apps-script';
import { startAndSubmit, waitForStatus } from '../support/workflow-driver';

/**
 * Human in the loop and operator overrides: expiry after reminders, feature flags, skip, cancel
 * with compensation, manual completion, and an unhandled error parking a workflow in
 * NEEDS_ATTENTION. Every override is audited with who and why.
 */
type Backend = Awaited<ReturnType<typeof startTestBackend>>;

/** Operator alerts are outbox rows (one per channel; recorded as skipped when none is configured). */
async function outboxKinds(backend: Backend, workflowId: string): Promise<string[]> {
  const found = await rows<{ kind: string }>(
    backend.database.db,
    sql`select kind from notification_outbox where workflow_id = ${workflowId} and kind in ('needs_attention', 'workflow_failed') order by kind, channel`,
  );
  return found.map((r) => r.kind);
}

describe('overrides and human in the loop', () => {
  let identity: TestIdentityProvider;
  const started: Array<{ backend: Backend; appsScript: ScriptedAppsScript }> = [];

  async function start(env: Record<string, string> = {}) {
    const sent: WorkflowNotification[] = [];
    const backend = await startTestBackend(testConfig(identity, { STEP_MAX_ATTEMPTS: '2', ...env }), {
      notify: async (n) => {
        sent.push(n);
      },
    });
    const api = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'overrides@school.example' }));
    const admin = new TestApiClient(backend.url, () => TEST_ADMIN_TOKEN);
    const appsScript = new ScriptedAppsScript(api);
    appsScript.start();
    started.push({ backend, appsScript });
    return { backend, api, admin, appsScript, sent };
  }

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
  });
  afterAll(async () => {
    for (const { backend, appsScript } of started) {
      await appsScript.stop();
      await backend.stop();
    }
    await identity?.close();
  });

  it('reminds the instructor, then expires a form nobody answers', async () => {
    // 7.2 s to answer, a reminder after 2.9 s.
    const { backend, api, sent } = await start({ COMPLETION_TIMEOUT_HOURS: '0.002', COMPLETION_REMINDER_HOURS: '0.0008' });
    const res = await api.createWorkflow({
      certificationId: 'aws-saa-c03',
      learnerEmail: 'l@example.com',
      courseCount: 1,
      slidesPerCourse: 2,
      spreadsheetId: 's',
    });
    const wf = await waitForStatus(backend.database, res.body.id, ['EXPIRED'], 30_000);
    expect(wf.status).toBe('EXPIRED');
    const kinds = sent.filter((n) => n.workflowId === wf.id).map((n) => n.kind);
    expect(kinds).toContain('completion_reminder');
    expect(kinds.at(-1)).toBe('workflow_expired');
    expect(sent.find((n) => n.kind === 'workflow_expired')).toMatchObject({
      audience: 'instructor',
      instructorEmail: 'overrides@school.example',
    });
  });

  it('with FEATURE_AVATAR_VIDEOS off, workflows complete without videos', async () => {
    const { backend, api } = await start({ FEATURE_AVATAR_VIDEOS: 'false' });
    const id = await startAndSubmit(api, backend.database, { courseCount: 2 });
    const wf = await waitForStatus(backend.database, id, ['COMPLETED', 'FAILED', 'NEEDS_ATTENTION']);
    expect(wf.status).toBe('COMPLETED');
    expect((wf.outputs as Record<string, unknown>).GENERATING_AVATAR_VIDEOS).toMatchObject({ skipped: true, videos: [] });
    expect(backend.simulators!.avatar.stats().jobsCreated).toBe(0);
    expect(backend.simulators!.core.stats().jobsCreated).toBe(2);
  });

  it('an operator skips failing avatar videos with a reason, and the workflow completes', async () => {
    const { backend, api, admin } = await start();
    backend.simulators!.avatar.injectFaults({ failJobs: { count: 10, retryable: true } });
    const id = await startAndSubmit(api, backend.database);
    const stuck = await waitForStatus(backend.database, id, ['NEEDS_ATTENTION', 'FAILED', 'COMPLETED']);
    expect(stuck.status).toBe('NEEDS_ATTENTION');
    expect(stuck.failedStep).toBe('GENERATING_AVATAR_VIDEOS');
    expect(await outboxKinds(backend, id)).toContain('needs_attention');

    const noReason = await admin.call(
      'POST',
      `/api/admin/workflows/${id}/skip`,
      { step: 'GENERATING_AVATAR_VIDEOS' },
      { 'x-operator': 'dana' },
    );
    expect(noReason.status).toBe(400);
    const critical = await admin.call(
      'POST',
      `/api/admin/workflows/${id}/skip`,
      { step: 'GENERATING_PRESENTATIONS', reason: 'not allowed' },
      { 'x-operator': 'dana' },
    );
    expect(critical.status).toBe(400);
    const skipped = await admin.call(
      'POST',
      `/api/admin/workflows/${id}/skip`,
      { step: 'GENERATING_AVATAR_VIDEOS', reason: 'Avatar render farm down; decks are enough' },
      { 'x-operator': 'dana' },
    );
    expect(skipped.status).toBe(200);
    const done = await waitForStatus(backend.database, id, ['COMPLETED']);
    expect((done.outputs as Record<string, unknown>).GENERATING_AVATAR_VIDEOS).toMatchObject({ skipped: true });
    const audit = await listAuditEvents(backend.database.db, id);
    expect(audit.find((a) => a.type === 'skip')).toMatchObject({
      actor: 'break-glass:dana',
      details: { step: 'GENERATING_AVATAR_VIDEOS', reason: 'Avatar render farm down; decks are enough' },
    });
  });

  it('cancel during step 9 cancels the PresGen jobs and trashes the Drive items, audited', async () => {
    const { backend, api, appsScript } = await start({ SIMULATOR_JOB_MS: '60000' });
    const id = await startAndSubmit(api, backend.database, { courseCount: 2 });
    await eventually(async () => backend.simulators!.core.stats().activeJobs === 2, { what: 'two decks rendering' });
    const res = await api.call('POST', `/api/workflows/${id}/cancel`, { reason: 'wrong learner' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('CANCELLED');
    // The engine compensates under its lease after the fenced CANCELLED write.
    await eventually(async () => (await getWorkflow(backend.database.db, id))?.compensationKey === null, { what: 'compensation finished' });
    expect(backend.simulators!.core.stats().jobsCancelled).toBe(2);
    await eventually(async () => appsScript.countByType('trash_files', id) === 1, { what: 'trash command executed' });
    const audit = await listAuditEvents(backend.database.db, id);
    expect(audit.find((a) => a.type === 'cancelled')).toMatchObject({
      actor: 'overrides@school.example',
      details: { reason: 'wrong learner' },
    });
    const actions = audit.filter((a) => a.type === 'compensation').map((a) => (a.details as { action: string }).action);
    expect(actions).toEqual(['presgen_jobs_cancelled', 'trash_files_enqueued']);
    // Cancelling again is refused and compensates nothing twice.
    expect((await api.call('POST', `/api/workflows/${id}/cancel`, {})).status).toBe(409);
    expect(backend.simulators!.core.stats().jobsCancelled).toBe(2);
  });

  it('an operator completes a NEEDS_ATTENTION workflow by hand, audited with who and why', async () => {
    const { backend, api, admin } = await start();
    backend.simulators!.avatar.injectFaults({ failJobs: { count: 10, retryable: true } });
    const id = await startAndSubmit(api, backend.database);
    await waitForStatus(backend.database, id, ['NEEDS_ATTENTION']);
    const res = await admin.call(
      'POST',
      `/api/admin/workflows/${id}/complete`,
      { reason: 'videos delivered by hand' },
      { 'x-operator': 'lee' },
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('COMPLETED');
    const audit = await listAuditEvents(backend.database.db, id);
    expect(audit.at(-1)).toMatchObject({
      type: 'manual_completion',
      actor: 'break-glass:lee',
      fromStatus: 'NEEDS_ATTENTION',
      toStatus: 'COMPLETED',
    });
  });

  it('an unhandled error is a JSON 500 with a correlation id, and parks the workflow it touched in NEEDS_ATTENTION with an alert', async () => {
    const { backend, api } = await start();
    const created = await api.createWorkflow({
      certificationId: 'aws-saa-c03',
      learnerEmail: 'l@example.com',
      courseCount: 1,
      slidesPerCourse: 2,
      spreadsheetId: 's',
    });
    const id = created.body.id as string;
    // At rest: parked at step 4 until the learner answers (no lease held, nothing due for a day).
    await eventually(
      async () => {
        const wf = await getWorkflow(backend.database.db, id);
        return wf?.status === 'AWAITING_COMPLETION' && wf.leaseOwner === null && wf.runAfter !== null && wf.runAfter.getTime() > Date.now();
      },
      { what: 'parked waiting for the learner' },
    );
    // Poison data the view cannot render.
    await backend.database.db
      .update(workflows)
      .set({ outputs: sql`jsonb_build_object('GENERATING_PRESENTATIONS', jsonb_build_object('presentations', 'corrupt'))` })
      .where(eq(workflows.id, id));
    const res = await api.getWorkflow(id);
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ code: 'internal_error', correlationId: expect.any(String) });
    const wf = await getWorkflow(backend.database.db, id);
    expect(wf?.status).toBe('NEEDS_ATTENTION');
    expect(wf?.lastError).toContain(res.body.error.correlationId);
    const [event] = await rows<{ type: string }>(
      backend.database.db,
      sql`select type from audit_events where workflow_id = ${id} order by id desc limit 1`,
    );
    expect(event.type).toBe('unhandled_error');
    // The alert was queued by the same statement that parked the workflow.
    expect(await outboxKinds(backend, id)).toEqual(['needs_attention', 'needs_attention']);
  });
});
