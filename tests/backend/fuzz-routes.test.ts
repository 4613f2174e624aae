import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../backend/db/client';
import { getWorkflow } from '../../backend/db/repositories/workflow-repository';
import { TestApiClient } from '../support/api-client';
import { TEST_ADMIN_TOKEN, eventually, startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';

/**
 * Issue 8: a bounded property test. A few thousand adversarial requests (NUL and lone surrogates
 * everywhere, 1 MiB strings, deep nesting, unknown keys, wrong types, wrong content types,
 * malformed JSON, bad path ids) over every route. Each body is built so it can never be valid,
 * so the properties are strict: only 4xx, the JSON error shape, no dropped connection, and the
 * tables are byte-for-byte what they were.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const CONCURRENCY = 6;

const NUL = '\u0000';
const hostileString = fc.oneof(
  fc.string({ maxLength: 20 }).map((s) => `${s}${NUL}`),
  fc.string({ maxLength: 20 }).map((s) => `\ud800${s}`),
  fc.string({ maxLength: 20 }).map((s) => `${s}\udfff`),
  fc.constant(`${NUL}`.repeat(3)),
);
/** Never valid for any field of any contract: hostile text, absurd nesting, null, arrays of garbage. */
const hostileValue = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constant('x'.repeat(1024 * 1024)).map((s) => `${s}${NUL}`) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 400 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(hostileString, { minLength: 1, maxLength: 3 }) },
);
const junkJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), hostileString), tie('value'), { maxKeys: 4 }),
  ),
})).value;

interface Route {
  method: 'GET' | 'POST';
  path: (id: string) => string;
  /** A valid body (or query) for this route; fuzzing makes it invalid in one or more places. */
  base?: Record<string, unknown>;
  admin?: boolean;
  hasId?: boolean;
  query?: Record<string, string>;
  /** No id, query or body to get wrong: send a hostile bearer token instead. */
  badToken?: boolean;
}

describe('fuzz: adversarial requests to every route change nothing', () => {
  let identity: TestIdentityProvider;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let alice: TestApiClient;
  let workflowId: string;
  let commandId: string;

  async function fingerprint() {
    const [r] = await rows<Record<string, string>>(
      backend.database.db,
      sql`select
        (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from workflows t) as workflows,
        (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from audit_events t) as audit,
        (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from workspace_commands t) as commands,
        (select md5(coalesce(string_agg(t::text, '|' order by t.response_id), '')) from form_submissions t) as submissions,
        (select md5(coalesce(string_agg(t::text, '|' order by t.owner_email, t.day), '')) from quota_reports t) as quota,
        (select count(*)::text from notification_outbox) as outbox`,
    );
    return r;
  }

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    backend = await startTestBackend(testConfig(identity, { OPERATOR_EMAILS: 'ops@school.example', COMMAND_LEASE_MS: '600000' }));
    alice = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'alice@school.example' }));
    workflowId = (
      await alice.createWorkflow({
        certificationId: 'aws-saa-c03',
        learnerEmail: 'l@example.com',
        courseCount: 1,
        slidesPerCourse: 2,
        spreadsheetId: 's1',
      })
    ).body.id;
    await eventually(async () => (await getWorkflow(backend.database.db, workflowId))?.runAfter === null, { what: 'parked at step 3' });
    const claimed = await alice.claim({ max: 5 });
    commandId = claimed.body.commands[0].id;
  }, 180_000);
  afterAll(async () => {
    await backend?.stop();
    await identity?.close();
  });

  const submission = {
    formId: 'f1',
    responseId: 'r1',
    respondentEmail: 'l@example.com',
    submittedAt: '2026-11-30T10:00:00Z',
    answers: [{ questionId: 'q', answer: 'a' }],
  };
  const routes: Route[] = [
    { method: 'GET', path: () => '/api/certifications', badToken: true },
    {
      method: 'POST',
      path: () => '/api/workflows',
      base: {
        certificationId: 'aws-saa-c03',
        learnerEmail: 'l@example.com',
        courseCount: 1,
        slidesPerCourse: 2,
        spreadsheetId: 's1',
        requestId: 'r',
      },
    },
    { method: 'GET', path: () => '/api/workflows', query: { limit: '5', cursor: 'c', status: 'COMPLETED' } },
    { method: 'GET', path: (id) => `/api/workflows/${id}`, hasId: true },
    {
      method: 'POST',
      path: (id) => `/api/workflows/${id}/resume`,
      base: { sheetUrl: 'https://docs.google.com/spreadsheets/d/x' },
      hasId: true,
    },
    { method: 'POST', path: (id) => `/api/workflows/${id}/cancel`, base: { reason: 'why' }, hasId: true },
    { method: 'POST', path: (id) => `/api/workflows/${id}/retry`, base: { fromStep: 'GENERATING_ASSESSMENT' }, hasId: true },
    { method: 'POST', path: () => '/api/workspace/commands/claim', base: { spreadsheetId: 's1', max: 5 } },
    {
      method: 'POST',
      path: (id) => `/api/workspace/commands/${id}/complete`,
      base: { leaseToken: 'l', result: { sharedFileIds: ['a'] } },
      hasId: true,
    },
    { method: 'POST', path: () => '/api/workspace/form-submissions', base: submission },
    { method: 'POST', path: () => '/api/workspace/quota', base: { day: '2026-11-30', usage: { FormApp: 1 } } },
    { method: 'GET', path: () => '/api/admin/workflows', query: { owner: 'a@b.co', limit: '5' }, admin: true },
    { method: 'GET', path: (id) => `/api/admin/workflows/${id}`, hasId: true, admin: true },
    { method: 'POST', path: (id) => `/api/admin/workflows/${id}/retry`, base: { reason: 'because' }, hasId: true, admin: true },
    {
      method: 'POST',
      path: (id) => `/api/admin/workflows/${id}/skip`,
      base: { step: 'GENERATING_AVATAR_VIDEOS', reason: 'because' },
      hasId: true,
      admin: true,
    },
    { method: 'POST', path: (id) => `/api/admin/workflows/${id}/cancel`, base: { reason: 'because' }, hasId: true, admin: true },
    { method: 'POST', path: (id) => `/api/admin/workflows/${id}/complete`, base: { reason: 'because' }, hasId: true, admin: true },
    {
      method: 'POST',
      path: (id) => `/api/admin/workflows/${id}/resume`,
      base: { sheetUrl: 'https://docs.google.com/spreadsheets/d/x', reason: 'because' },
      hasId: true,
      admin: true,
    },
  ];

  /** Replace or add a value somewhere in a (nested) copy of `base`. */
  function mutate(base: Record<string, unknown>, pathPick: number, value: unknown, addKey?: string): Record<string, unknown> {
    const copy = structuredClone(base) as Record<string, any>;
    if (addKey !== undefined) {
      copy[addKey] = value;
      return copy;
    }
    const keys = Object.keys(copy);
    const key = keys[pathPick % keys.length];
    if (copy[key] && typeof copy[key] === 'object' && !Array.isArray(copy[key]) && pathPick % 2 === 0) {
      const inner = Object.keys(copy[key]);
      if (inner.length) copy[key][inner[pathPick % inner.length]] = value;
      else copy[key] = value;
    } else copy[key] = value;
    return copy;
  }

  type Case = {
    route: number;
    kind: 'field' | 'unknown_key' | 'junk' | 'content_type' | 'malformed' | 'bad_id' | 'query';
    idKind: number;
    pick: number;
    value: unknown;
    junk: unknown;
    key: string;
  };
  const caseArb: fc.Arbitrary<Case> = fc.record({
    route: fc.nat({ max: routes.length - 1 }),
    kind: fc.constantFrom('field', 'field', 'field', 'unknown_key', 'junk', 'content_type', 'malformed', 'bad_id', 'query'),
    idKind: fc.nat({ max: 5 }),
    pick: fc.nat({ max: 1000 }),
    value: hostileValue,
    junk: junkJson,
    key: fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), hostileString).filter((k) => !['__proto__', 'constructor'].includes(k)),
  });

  function request(c: Case): { method: string; path: string; body?: string; contentType?: string; admin: boolean; token?: string } {
    const route = routes[c.route];
    const badIds = ['%00', '%ED%A0%80', 'not-a-uuid', `${workflowId}%00`, '..%2F..%2Fetc', 'x'.repeat(3000)];
    const realId = route.path('').includes('commands') ? commandId : workflowId;
    // A GET with a valid id is a valid read: GETs always get a bad or unknown id (undeclared query keys are ignored, as documented).
    const id = c.kind === 'bad_id' || (route.method === 'GET' && !route.query) ? badIds[c.idKind] : c.idKind === 5 ? randomUUID() : realId;
    let path = route.path(encodeURI(id).replace(/%25/g, '%'));
    const admin = route.admin ?? false;
    if (route.badToken) {
      const raw = typeof c.value === 'string' ? c.value : JSON.stringify(c.value);
      return { method: 'GET', path, admin, token: raw.replace(/[^\x21-\x7e]/g, '').slice(0, 2000) || 'x' };
    }
    if (route.method === 'GET' && !route.query) return { method: 'GET', path, admin };
    if (route.method === 'GET') {
      // GETs change nothing even when valid; make them hostile anyway.
      const query = new URLSearchParams(route.query ?? {});
      const key = Object.keys(route.query ?? { q: '' })[c.pick % Math.max(1, Object.keys(route.query ?? {}).length)] ?? 'q';
      const raw = typeof c.value === 'string' ? c.value : JSON.stringify(c.value);
      path += `?${query.toString()}&${key}=${Buffer.from(raw.slice(0, 4000), 'utf8')
        .toString('latin1')
        .split('')
        .map((ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
        .join('')}`;
      return { method: 'GET', path, admin };
    }
    const base = route.base!;
    switch (c.kind) {
      case 'unknown_key':
        return { method: 'POST', path, admin, body: JSON.stringify(mutate(base, c.pick, c.value, `${c.key}${NUL}`)) };
      case 'junk': {
        const junk = c.junk && typeof c.junk === 'object' && !Array.isArray(c.junk) ? { ...(c.junk as object), [`${NUL}junk`]: 1 } : c.junk;
        return { method: 'POST', path, admin, body: JSON.stringify(junk ?? null) };
      }
      case 'content_type':
        return {
          method: 'POST',
          path,
          admin,
          body: JSON.stringify(base),
          contentType: ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml'][
            c.pick % 4
          ],
        };
      case 'malformed':
        return {
          method: 'POST',
          path,
          admin,
          body: [`${JSON.stringify(base).slice(0, -1)}`, '{"a":', '\u0000', '{"a":"\\ud800"', '[[[[', '{"a":1,}'][c.pick % 6],
        };
      default:
        return { method: 'POST', path, admin, body: JSON.stringify(mutate(base, c.pick, c.value)) };
    }
  }

  it(`${RUNS} adversarial requests: only 4xx, error JSON, no dropped connection, no state change (seed ${SEED})`, async () => {
    const before = await fingerprint();
    const cases = fc.sample(caseArb, { numRuns: RUNS, seed: SEED });
    const aliceToken = await identity.signIdToken({ email: 'alice@school.example', expiresInSeconds: 3600 });
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++];
        const req = request(c);
        const label = `${req.method} ${req.path.slice(0, 100)} ${c.kind} ${(req.body ?? '').slice(0, 120)}`;
        try {
          const res = await fetch(`${backend.url}${req.path}`, {
            method: req.method,
            headers: {
              authorization: `Bearer ${req.token ?? (req.admin ? TEST_ADMIN_TOKEN : aliceToken)}`,
              ...(req.body === undefined ? {} : { 'content-type': req.contentType ?? 'application/json' }),
            },
            body: req.body,
          });
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status < 400 || res.status >= 500) failures.push(`${res.status} ${label} -> ${text.slice(0, 200)}`);
          else if (!JSON.parse(text)?.error?.code) failures.push(`no error body ${label}`);
        } catch (err) {
          failures.push(`connection: ${(err as Error).message} ${label}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(failures.slice(0, 20), `${failures.length} failures`).toEqual([]);
    expect(await fingerprint()).toEqual(before);
    // The server still answers, and the workflow is where it was.
    expect((await alice.getWorkflow(workflowId)).body.status).toBe('CREATING_GOOGLE_RESOURCES');
    console.info(`fuzz: ${RUNS} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  }, 600_000);
});
