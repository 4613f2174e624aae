import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEP_STATUSES } from '../../shared/workflow-status';
import { listAuditEvents, listStepRuns } from '../../backend/db/repositories/workflow-repository';
import { TestApiClient } from '../support/api-client';
import { eventually, startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { submissionFor } from '../support/learner';
import { createTestDatabase, DRIVERS, type TestDatabase } from '../support/postgres';
import { ScriptedAppsScript } from '../support/scripted-apps-script';
import { teardown } from '../support/teardown';

/**
 * One workflow through all 11 steps over the real HTTP API, on both drivers: a stand-in for
 * Apps Script claims and completes commands with valid ID tokens, a learner submits, the PresGen
 * simulators make decks and videos.
 */
describe.each(DRIVERS)('end to end over HTTP (%s)', (driver) => {
  let identity: TestIdentityProvider;
  let pg: TestDatabase | undefined;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let api: TestApiClient;
  let appsScript: ScriptedAppsScript;
  const instructor = 'instructor@school.example';

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    if (driver === 'postgres') pg = await createTestDatabase();
    backend = await startTestBackend(testConfig(identity, { DATABASE_URL: pg?.url }));
    api = new TestApiClient(backend.url, () => identity.signIdToken({ email: instructor }));
    appsScript = new ScriptedAppsScript(api, { spreadsheetId: 'sheet-of-the-addon' });
    appsScript.start();
  });

  afterAll(async () => {
    await teardown(
      () => appsScript?.stop(),
      () => backend?.stop(),
      () => pg?.drop(),
      () => identity?.close(),
    );
  });

  it('runs all 11 steps to COMPLETED with one create command and one PresGen job per course', async () => {
    const created = await api.createWorkflow({
      certificationId: 'aws-saa-c03',
      learnerEmail: 'learner@example.com',
      courseCount: 3,
      slidesPerCourse: 4,
      avatarVideos: true,
      spreadsheetId: 'sheet-of-the-addon',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.status).toBe('REQUESTED');

    await eventually(async () => (await api.getWorkflow(id)).body.status === 'AWAITING_COMPLETION', { what: 'AWAITING_COMPLETION' });
    const submission = await submissionFor(backend.database, id, 'half');
    const posted = await api.submitForm(submission);
    expect(posted.status).toBe(202);
    expect(posted.body).toEqual({ workflowId: id, accepted: true, duplicate: false });

    const done = await eventually(
      async () => {
        const res = await api.getWorkflow(id);
        return res.body.status === 'COMPLETED' ? res.body : undefined;
      },
      { what: 'COMPLETED' },
    );

    // Every step's output is checkpointed.
    for (const step of STEP_STATUSES) expect(done.outputs[step], step).toBeDefined();
    expect(done.outputs.GENERATING_ASSESSMENT).not.toHaveProperty('answerKey');
    expect(done.links.presentations).toHaveLength(3);
    expect(done.links.videos).toHaveLength(3);
    expect(done.links.formResponderUrl).toContain(`form-${id}`);

    // Audit: one transition into each step and into COMPLETED, in order.
    const audit = await listAuditEvents(backend.database.db, id);
    const transitions = audit.filter((e) => e.type === 'transition' || e.type === 'created').map((e) => e.toStatus);
    expect(transitions).toEqual([...STEP_STATUSES, 'COMPLETED']);

    // Each step succeeded exactly once.
    const runs = await listStepRuns(backend.database.db, id);
    for (const step of STEP_STATUSES) {
      expect(
        runs.filter((r) => r.step === step && r.outcome === 'succeeded'),
        step,
      ).toHaveLength(1);
    }

    // Exactly one "create assets" command; one tab command per tab.
    expect(appsScript.countByType('create_assessment_assets', id)).toBe(1);
    expect(appsScript.countByType('write_tab', id)).toBe(1 + 1 + 3 + 1);

    // Exactly one PresGen job per course, at each service.
    const core = backend.simulators!.core.stats();
    const avatar = backend.simulators!.avatar.stats();
    const mine = (keys: Record<string, { jobsCreated: number }>) => Object.entries(keys).filter(([k]) => k.startsWith(id));
    expect(mine(core.jobsByIdempotencyKey).map(([, v]) => v.jobsCreated)).toEqual([1, 1, 1]);
    expect(mine(avatar.jobsByIdempotencyKey).map(([, v]) => v.jobsCreated)).toEqual([1, 1, 1]);

    // A duplicate delivery of the same submission changes nothing.
    const again = await api.submitForm(submission);
    expect(again.body.duplicate).toBe(true);
    expect((await api.getWorkflow(id)).body.version).toBe(done.version);
  });
});
