import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../backend/db/client';
import { getWorkflow, listAuditEvents } from '../../backend/db/repositories/workflow-repository';
import { TestApiClient } from '../support/api-client';
import { TEST_ADMIN_TOKEN, eventually, startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';

/**
 * Issue 8: operators are people. An allowlisted operator's ID token is audited by its verified
 * email; an instructor's token or a non-operator's token is 403; the shared ADMIN_TOKEN is the
 * break-glass path, audited as such; operator resume takes a reason and is audited.
 */
describe('operator identity on /api/admin', () => {
  const OPS_AUDIENCE = 'ops-cli.example';
  let identity: TestIdentityProvider;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let alice: TestApiClient;
  let operator: TestApiClient;
  let stranger: TestApiClient;
  let breakGlass: TestApiClient;
  const valid = { certificationId: 'aws-saa-c03', learnerEmail: 'l@example.com', courseCount: 1, slidesPerCourse: 2, spreadsheetId: 's1' };

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    backend = await startTestBackend(
      testConfig(identity, { OPERATOR_EMAILS: 'Ops@School.example', OPERATOR_OIDC_AUDIENCES: `${identity.audience},${OPS_AUDIENCE}` }),
    );
    alice = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'alice@school.example' }));
    operator = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'ops@school.example', aud: OPS_AUDIENCE }));
    stranger = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'mallory@school.example', aud: OPS_AUDIENCE }));
    breakGlass = new TestApiClient(backend.url, () => TEST_ADMIN_TOKEN);
  }, 60_000);
  afterAll(async () => {
    await backend?.stop();
    await identity?.close();
  });

  async function parkedWorkflow(): Promise<string> {
    const id = (await alice.createWorkflow(valid)).body.id as string;
    await eventually(async () => (await getWorkflow(backend.database.db, id))?.runAfter === null, { what: 'parked at step 3' });
    return id;
  }

  it("an instructor's token and a non-operator's token are 403 on every admin route; no token or a forged one is 401", async () => {
    const id = await parkedWorkflow();
    const auditBefore = (await listAuditEvents(backend.database.db, id)).length;
    const calls: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/workflows'],
      ['GET', `/api/admin/workflows/${id}`],
      ['POST', `/api/admin/workflows/${id}/cancel`, { reason: 'not mine to cancel' }],
      ['POST', `/api/admin/workflows/${id}/resume`, { sheetUrl: 'https://docs.google.com/spreadsheets/d/x', reason: 'nope' }],
    ];
    for (const [method, path, body] of calls) {
      for (const client of [alice, stranger]) {
        const res = await client.call(method, path, body);
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
      const forged = new TestApiClient(backend.url, () => identity.forgeIdToken({ email: 'ops@school.example', aud: OPS_AUDIENCE }));
      expect((await forged.call(method, path, body)).status).toBe(401);
      expect((await new TestApiClient(backend.url, () => '').call(method, path, body)).status).toBe(401);
    }
    expect((await listAuditEvents(backend.database.db, id)).length).toBe(auditBefore);
    expect((await getWorkflow(backend.database.db, id))?.status).toBe('CREATING_GOOGLE_RESOURCES');
  });

  it('an allowlisted operator is audited by verified email, whatever X-Operator claims', async () => {
    const id = await parkedWorkflow();
    const res = await operator.call(
      'POST',
      `/api/admin/workflows/${id}/cancel`,
      { reason: 'learner left the course' },
      { 'x-operator': 'someone-else' },
    );
    expect(res.status).toBe(200);
    const audit = await listAuditEvents(backend.database.db, id);
    expect(audit.find((a) => a.type === 'cancelled')).toMatchObject({
      actor: 'ops@school.example',
      details: { reason: 'learner left the course' },
    });
    expect(audit.some((a) => a.actor.includes('someone-else'))).toBe(false);
  });

  it('the break-glass token works and is audited as break-glass with the claimed name', async () => {
    const id = await parkedWorkflow();
    const res = await breakGlass.call(
      'POST',
      `/api/admin/workflows/${id}/cancel`,
      { reason: 'identity provider down' },
      { 'x-operator': 'lee' },
    );
    expect(res.status).toBe(200);
    const audit = await listAuditEvents(backend.database.db, id);
    expect(audit.find((a) => a.type === 'cancelled')).toMatchObject({ actor: 'break-glass:lee' });
  });

  it('operator resume requires a reason and is audited with the verified identity', async () => {
    const id = await parkedWorkflow();
    // Play the add-on: create the form, so the workflow waits for its learner.
    const command = (await alice.claim({ max: 20 })).body.commands.find((c: { workflowId: string }) => c.workflowId === id);
    const result = {
      folderId: 'f',
      folderUrl: 'https://drive.example/f',
      formId: `form-${id}`,
      formUrl: 'https://forms.example/e',
      formResponderUrl: 'https://forms.example/r',
      formPublished: true,
      resultsSpreadsheetId: 'r',
      resultsSpreadsheetUrl: 'https://sheets.example/r',
      itemQuestionIds: {},
    };
    expect((await alice.complete(command.id, { leaseToken: command.leaseToken, result })).status).toBe(200);
    await eventually(async () => (await getWorkflow(backend.database.db, id))?.status === 'AWAITING_COMPLETION', {
      what: 'awaiting the learner',
    });

    const sheetUrl = 'https://docs.google.com/spreadsheets/d/abc';
    const noReason = await operator.call('POST', `/api/admin/workflows/${id}/resume`, { sheetUrl });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toMatch(/reason/);
    const res = await operator.call('POST', `/api/admin/workflows/${id}/resume`, { sheetUrl, reason: 'learner answered on paper' });
    expect(res.status).toBe(200);
    const audit = await listAuditEvents(backend.database.db, id);
    expect(audit.at(-1)).toMatchObject({
      type: 'operator_resume',
      actor: 'ops@school.example',
      details: { reason: 'learner answered on paper', via: 'oidc', with: 'sheet_url' },
    });
    const [queued] = await rows<{ n: number }>(
      backend.database.db,
      sql`select count(*)::int as n from workspace_commands where workflow_id = ${id} and type = 'read_responses'`,
    );
    expect(queued.n).toBe(1);
  });
});
