import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../backend/db/client';
import { getWorkflow } from '../../backend/db/repositories/workflow-repository';
import { TestApiClient } from '../support/api-client';
import { TEST_ADMIN_TOKEN, eventually, startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { createTestDatabase, DRIVERS, type TestDatabase } from '../support/postgres';
import { teardown } from '../support/teardown';

/**
 * Issue 8, defects 1 and 4: NUL, unpaired surrogates and unbounded strings used to reach the
 * database (500, and the workflow pushed to NEEDS_ATTENTION). Each is now a 400 naming the field,
 * on both drivers, and changes nothing.
 */
const NUL = 'a\u0000b';
const HIGH = 'a\ud800b';
const LOW = '\udc00';
/** A URL cannot carry a lone surrogate: its percent-encoded CESU-8 bytes are the nearest a client can send. */
const queryText = (bad: string) => (bad === NUL ? 'a%00b' : '%ED%A0%80');
const MIB = 'x'.repeat(1024 * 1024 - 20);

describe.each(DRIVERS)('hostile text is refused at the edge (%s)', (driver) => {
  let identity: TestIdentityProvider;
  let pg: TestDatabase | undefined;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let alice: TestApiClient;
  let admin: TestApiClient;
  let workflowId: string;
  const valid = { certificationId: 'aws-saa-c03', learnerEmail: 'l@example.com', courseCount: 1, slidesPerCourse: 2, spreadsheetId: 's1' };

  async function snapshot() {
    const [r] = await rows<Record<string, number | string>>(
      backend.database.db,
      sql`select (select count(*)::int from workflows) as w, (select count(*)::int from audit_events) as a,
                 (select count(*)::int from form_submissions) as s, (select count(*)::int from quota_reports) as q,
                 (select coalesce(sum(version), 0)::int from workflows) as v,
                 (select string_agg(status, ',' order by id) from workflows) as statuses`,
    );
    return r;
  }

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    if (driver === 'postgres') pg = await createTestDatabase('presgen_hostile');
    backend = await startTestBackend(testConfig(identity, pg ? { DATABASE_URL: pg.url } : {}));
    alice = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'alice@school.example' }));
    admin = new TestApiClient(backend.url, () => TEST_ADMIN_TOKEN);
    workflowId = (await alice.createWorkflow(valid)).body.id;
    await eventually(async () => (await getWorkflow(backend.database.db, workflowId))?.runAfter === null, { what: 'parked at step 3' });
  }, 60_000);
  afterAll(async () => {
    await teardown(
      () => backend?.stop(),
      () => identity?.close(),
      () => pg?.drop(),
    );
  });

  const submission = {
    formId: 'f1',
    responseId: 'r1',
    respondentEmail: 'l@example.com',
    submittedAt: new Date().toISOString(),
    answers: [] as unknown[],
  };

  it('NUL and unpaired surrogates in every string field: 400 naming the field, nothing changes', async () => {
    const before = await snapshot();
    const cases: Array<[string, string, unknown, RegExp, TestApiClient?]> = [];
    for (const bad of [NUL, HIGH, LOW]) {
      cases.push(
        ['POST', '/api/workflows', { ...valid, requestId: bad }, /body\.requestId/],
        ['POST', '/api/workflows', { ...valid, spreadsheetId: bad }, /body\.spreadsheetId/],
        ['POST', '/api/workflows', { ...valid, certificationId: bad }, /body\.certificationId/],
        ['POST', `/api/workflows/${workflowId}/cancel`, { reason: bad }, /body\.reason/],
        ['POST', '/api/workspace/commands/claim', { spreadsheetId: bad }, /body\.spreadsheetId/],
        ['POST', '/api/workspace/quota', { day: '2026-01-01', usage: { [bad]: 1 } }, /body\.usage/],
        ['POST', '/api/workspace/form-submissions', { ...submission, formId: bad }, /body\.formId/],
        ['POST', '/api/workspace/form-submissions', { ...submission, responseId: bad }, /body\.responseId/],
        [
          'POST',
          '/api/workspace/form-submissions',
          { ...submission, answers: [{ questionId: 'q1', answer: bad }] },
          /body\.answers\.0\.answer/,
        ],
        ['POST', `/api/workflows/${workflowId}/resume`, { submission: { ...submission, formId: bad } }, /body/],
        ['GET', `/api/workflows?cursor=${queryText(bad)}`, undefined, /query\.cursor/],
        ['POST', `/api/admin/workflows/${workflowId}/cancel`, { reason: `abc${bad}` }, /body\.reason/, admin],
        ['GET', `/api/admin/workflows?cursor=${queryText(bad)}`, undefined, /query\.cursor/, admin],
      );
    }
    for (const [method, path, body, field, client] of cases) {
      const res = await (client ?? alice).call(method, path, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toMatch(field);
    }
    expect(await snapshot()).toEqual(before);
    expect((await getWorkflow(backend.database.db, workflowId))?.status).toBe('CREATING_GOOGLE_RESOURCES');
  });

  it('a path id that is not an id is a 400 on every /{id} route, never a database error', async () => {
    const before = await snapshot();
    const routes: Array<[string, (id: string) => string, unknown, TestApiClient]> = [
      ['GET', (id) => `/api/workflows/${id}`, undefined, alice],
      ['POST', (id) => `/api/workflows/${id}/cancel`, {}, alice],
      ['POST', (id) => `/api/workflows/${id}/retry`, {}, alice],
      ['POST', (id) => `/api/workflows/${id}/resume`, { sheetUrl: 'https://docs.google.com/spreadsheets/d/x' }, alice],
      ['POST', (id) => `/api/workspace/commands/${id}/complete`, { leaseToken: 'l', result: {} }, alice],
      ['GET', (id) => `/api/admin/workflows/${id}`, undefined, admin],
      ['POST', (id) => `/api/admin/workflows/${id}/cancel`, { reason: 'because' }, admin],
      ['POST', (id) => `/api/admin/workflows/${id}/retry`, { reason: 'because' }, admin],
      [
        'POST',
        (id) => `/api/admin/workflows/${id}/resume`,
        { sheetUrl: 'https://docs.google.com/spreadsheets/d/x', reason: 'because' },
        admin,
      ],
    ];
    for (const id of ['%00', '%ED%A0%80', 'not-a-uuid', `${workflowId}%00`, 'x'.repeat(5000)]) {
      for (const [method, path, body, client] of routes) {
        const res = await client.call(method, path(id), body);
        expect(res.status, `${method} ${path(id).slice(0, 80)}`).toBe(400);
        expect(res.body.error.message).toMatch(/param\.id/);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('emails are at most 254 characters and every string has a bound (1 MiB is refused)', async () => {
    const before = await snapshot();
    const longEmail = `${'a'.repeat(250)}@example.com`;
    const cases: Array<[string, unknown, RegExp]> = [
      ['/api/workflows', { ...valid, learnerEmail: longEmail }, /body\.learnerEmail/],
      ['/api/workflows', { ...valid, learnerEmail: `${MIB}@example.com` }, /body\.learnerEmail/],
      ['/api/workspace/form-submissions', { ...submission, respondentEmail: `${MIB}@example.com` }, /body\.respondentEmail/],
      ['/api/workspace/form-submissions', { ...submission, answers: [{ questionId: 'q1', answer: MIB }] }, /body\.answers\.0\.answer/],
      ['/api/workflows', { ...valid, requestId: MIB }, /body\.requestId/],
    ];
    for (const [path, body, field] of cases) {
      const res = await alice.call('POST', path, body);
      expect(res.status, path).toBe(400);
      expect(res.body.error.message).toMatch(field);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a hostile command result is refused naming the field; the command stays leased', async () => {
    const claim = await alice.claim({ max: 5 });
    const command = claim.body.commands.find((c: { workflowId: string }) => c.workflowId === workflowId);
    expect(command).toBeDefined();
    const before = await snapshot();
    const good = {
      folderId: 'f',
      folderUrl: 'https://drive.example/f',
      formId: 'form',
      formUrl: 'https://forms.example/e',
      formResponderUrl: 'https://forms.example/r',
      formPublished: true,
      resultsSpreadsheetId: 'r',
      resultsSpreadsheetUrl: 'https://sheets.example/r',
      itemQuestionIds: {},
    };
    for (const [result, field] of [
      [{ ...good, formId: NUL }, /result\.formId/],
      [{ ...good, itemQuestionIds: { [HIGH]: 'q1' } }, /result\.itemQuestionIds/],
      [{ ...good, surprise: NUL }, /surprise/],
    ] as const) {
      const res = await alice.complete(command.id, { leaseToken: command.leaseToken, result });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(field);
    }
    const errorBody = await alice.complete(command.id, { leaseToken: command.leaseToken, error: { message: NUL, retryable: true } });
    expect(errorBody.status).toBe(400);
    expect(errorBody.body.error.message).toMatch(/body\.error\.message/);
    expect(await snapshot()).toEqual(before);
    const [row] = await rows<{ status: string }>(backend.database.db, sql`select status from workspace_commands where id = ${command.id}`);
    expect(row.status).toBe('leased');
  });
});
