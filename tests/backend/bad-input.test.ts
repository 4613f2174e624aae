import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../backend/db/client';
import { getWorkflow } from '../../backend/db/repositories/workflow-repository';
import { TestApiClient } from '../support/api-client';
import { TEST_ADMIN_TOKEN, eventually, startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';

/** Malformed, unauthenticated and wrong-owner requests get 400/401/403, name the field, and change nothing. */
describe('bad input changes nothing', () => {
  let identity: TestIdentityProvider;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let alice: TestApiClient;
  let bob: TestApiClient;
  let workflowId: string;
  const valid = { certificationId: 'aws-saa-c03', learnerEmail: 'l@example.com', courseCount: 1, slidesPerCourse: 2, spreadsheetId: 's1' };

  async function snapshot() {
    const [r] = await rows<{ w: number; a: number; c: number; s: number; v: number }>(
      backend.database.db,
      sql`select (select count(*)::int from workflows) as w, (select count(*)::int from audit_events) as a,
                 (select count(*)::int from workspace_commands where status <> 'pending') as c,
                 (select count(*)::int from form_submissions) as s, (select coalesce(sum(version), 0)::int from workflows) as v`,
    );
    return r;
  }

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    backend = await startTestBackend(testConfig(identity));
    alice = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'alice@school.example' }));
    bob = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'bob@school.example' }));
    workflowId = (await alice.createWorkflow(valid)).body.id;
    // Let it park at step 3, waiting for Apps Script: a stable state to compare against.
    await eventually(async () => (await getWorkflow(backend.database.db, workflowId))?.runAfter === null, { what: 'parked at step 3' });
  });
  afterAll(async () => {
    await backend?.stop();
    await identity?.close();
  });

  it('400 names the field: missing, wrong type, unknown key, bad email, out of range', async () => {
    const before = await snapshot();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...valid, learnerEmail: undefined }, /body\.learnerEmail/],
      [{ ...valid, courseCount: 'three' }, /body\.courseCount/],
      [{ ...valid, courseCount: 6 }, /body\.courseCount/],
      [{ ...valid, slidesPerCourse: 0 }, /body\.slidesPerCourse/],
      [{ ...valid, learnerEmail: 'not-an-email' }, /body\.learnerEmail/],
      [{ ...valid, surprise: true }, /surprise/],
      [{ ...valid, certificationId: 'no-such-cert' }, /certificationId/],
    ];
    for (const [body, field] of cases) {
      const res = await alice.createWorkflow(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toMatch(field);
    }
    const malformed = await alice.call('POST', '/api/workflows', '{"certificationId": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBeDefined();
    const badQuery = await alice.call('GET', '/api/workflows?limit=1000');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.message).toMatch(/query\.limit/);
    expect(await snapshot()).toEqual(before);
  });

  it('401 without a token, with a forged, expired or wrong-audience token', async () => {
    const before = await snapshot();
    const tokens = [
      '',
      await identity.forgeIdToken({ email: 'alice@school.example' }),
      await identity.signIdToken({ email: 'alice@school.example', expiresInSeconds: -120 }),
      await identity.signIdToken({ email: 'alice@school.example', aud: 'someone-else.apps.googleusercontent.com' }),
      await identity.signIdToken({ email: 'alice@school.example', emailVerified: false }),
      'not.a.jwt',
    ];
    for (const token of tokens) {
      const client = new TestApiClient(backend.url, () => token);
      for (const res of [await client.createWorkflow(valid), await client.claim({}), await client.getWorkflow(workflowId)]) {
        expect(res.status).toBe(401);
        expect(res.body.error.code).toMatch(/unauthenticated|invalid_token/);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it("403 on another instructor's workflow and commands", async () => {
    const before = await snapshot();
    expect((await bob.getWorkflow(workflowId)).status).toBe(403);
    expect((await bob.call('POST', `/api/workflows/${workflowId}/cancel`, {})).status).toBe(403);
    expect((await bob.call('POST', `/api/workflows/${workflowId}/retry`, {})).status).toBe(403);
    // Bob's pump sees none of Alice's commands.
    expect((await bob.claim({})).body.commands).toEqual([]);
    const [command] = await rows<{ id: string }>(
      backend.database.db,
      sql`select id from workspace_commands where workflow_id = ${workflowId}`,
    );
    const res = await bob.complete(command.id, { leaseToken: 'x', result: {} });
    expect(res.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it('an invalid command result is refused naming the field, and the command stays leased', async () => {
    const claim = await alice.claim({ max: 5 });
    const command = claim.body.commands.find((c: { workflowId: string }) => c.workflowId === workflowId);
    expect(command.type).toBe('create_assessment_assets');
    const before = await snapshot();
    const res = await alice.complete(command.id, { leaseToken: command.leaseToken, result: { folderId: 'f' } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/result\.folderUrl/);
    const stale = await alice.complete(command.id, { leaseToken: 'not-the-lease', result: {} });
    expect(stale.status).toBe(409);
    const both = await alice.complete(command.id, {
      leaseToken: command.leaseToken,
      result: {},
      error: { message: 'x', retryable: false },
    });
    expect(both.status).toBe(400);
    expect(await snapshot()).toEqual(before);
    const [row] = await rows<{ status: string }>(backend.database.db, sql`select status from workspace_commands where id = ${command.id}`);
    expect(row.status).toBe('leased');
  });

  it('a submission for an unknown form is 404 and one that is malformed is 400', async () => {
    const before = await snapshot();
    const submission = {
      formId: 'nope',
      responseId: 'r1',
      respondentEmail: 'l@example.com',
      submittedAt: new Date().toISOString(),
      answers: [],
    };
    expect((await alice.submitForm(submission)).status).toBe(404);
    const bad = await alice.submitForm({ ...submission, submittedAt: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/body\.submittedAt/);
    expect(await snapshot()).toEqual(before);
  });

  it('operator endpoints refuse an instructor token (403: not an operator)', async () => {
    const before = await snapshot();
    expect((await alice.call('GET', '/api/admin/workflows')).status).toBe(403);
    const admin = new TestApiClient(backend.url, () => TEST_ADMIN_TOKEN);
    const list = await admin.call('GET', '/api/admin/workflows');
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    const noReason = await admin.call('POST', `/api/admin/workflows/${workflowId}/cancel`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toMatch(/body\.reason/);
    const illegal = await admin.call('POST', `/api/admin/workflows/${workflowId}/complete`, { reason: 'not from this state' });
    expect(illegal.status).toBe(409);
    expect(await snapshot()).toMatchObject({ w: before.w, c: before.c, s: before.s, v: before.v });
  });
});
