import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../backend/db/client';
import { API_PATHS } from '../../shared/contracts/api';
import type { ClaimedCommand } from '../../shared/contracts/commands';
import { eventually } from '../support/backend';
import { resultFor } from '../support/scripted-apps-script';
import { createWorkflows, INSTRUCTOR, startChaosStack, type ChaosStack } from './support/chaos-stack';
import { tableCounts } from './support/invariants';

/**
 * Bad tokens: forged (right kid, wrong key), expired, wrong-audience (and a few more broken
 * shapes) are refused with 401 on every add-on endpoint, including the ones that would create
 * or complete something, and nothing in the database changes.
 */
describe('chaos: bad ID tokens', () => {
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await startChaosStack({ pumpCommands: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers 401 on every add-on endpoint and changes nothing', async () => {
    const { api, database, identity, backend } = stack;
    // A real workflow parked on its create command, which the (genuine) add-on has leased.
    const [id] = await createWorkflows(api, 1, 1);
    const command = await eventually(
      async () => {
        const res = await api.claim({ max: 5 });
        return (res.body.commands as ClaimedCommand[]).find((c) => c.type === 'create_assessment_assets');
      },
      { what: 'create command leased', timeoutMs: 15_000 },
    );
    const workflowRow = async () =>
      (await rows(database.db, sql`select status, version, wake_seq, run_after from workflows where id = ${id}`))[0];
    const commandRow = async () =>
      (await rows(database.db, sql`select status, lease_token, attempts, result from workspace_commands where id = ${command.id}`))[0];
    // The workflow is parked (waiting for the command): nothing moves until a valid completion.
    await eventually(async () => ((await workflowRow()) as { run_after: unknown }).run_after === null, { what: 'workflow parked' });
    const before = { tables: await tableCounts(database), workflow: await workflowRow(), command: await commandRow() };

    const badTokens: Record<string, string> = {
      forged: await identity.forgeIdToken({ email: INSTRUCTOR }),
      expired: await identity.signIdToken({ email: INSTRUCTOR, expiresInSeconds: -120 }),
      'wrong audience': await identity.signIdToken({ email: INSTRUCTOR, aud: 'someone-else.apps.googleusercontent.com' }),
      'wrong issuer': await identity.signIdToken({ email: INSTRUCTOR, iss: 'https://evil.example' }),
      'unverified email': await identity.signIdToken({ email: INSTRUCTOR, emailVerified: false }),
      'not a JWT': 'not-a-token',
    };
    const submission = {
      formId: `form-${id}`,
      responseId: 'r-attack',
      respondentEmail: 'x@example.com',
      submittedAt: new Date().toISOString(),
      answers: [],
    };
    const endpoints: Array<[string, string, unknown?]> = [
      ['GET', API_PATHS.certifications],
      ['GET', API_PATHS.workflows],
      [
        'POST',
        API_PATHS.workflows,
        { certificationId: 'aws-saa-c03', learnerEmail: 'l@example.com', courseCount: 1, slidesPerCourse: 2, spreadsheetId: 's' },
      ],
      ['GET', API_PATHS.workflow(id)],
      ['POST', API_PATHS.resume(id), { sheetUrl: 'https://docs.google.com/spreadsheets/d/x/edit' }],
      ['POST', API_PATHS.cancel(id), { reason: 'attack' }],
      ['POST', API_PATHS.retry(id), {}],
      ['POST', API_PATHS.claimCommands, { max: 5 }],
      ['POST', API_PATHS.completeCommand(command.id), { leaseToken: command.leaseToken, result: resultFor(command) }],
      ['POST', API_PATHS.formSubmissions, submission],
      ['POST', API_PATHS.quota, { day: '2026-01-01', usage: { FormApp: 1 } }],
    ];

    const send = async (method: string, path: string, body: unknown, authorization?: string) => {
      const res = await fetch(`${backend.url}${path}`, {
        method,
        headers: { ...(authorization ? { authorization } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, text };
    };
    let refused = 0;
    for (const [method, path, body] of endpoints) {
      for (const [kind, token] of Object.entries(badTokens)) {
        const res = await send(method, path, body, `Bearer ${token}`);
        expect(res.status, `${kind} token on ${method} ${path}`).toBe(401);
        expect(res.text).not.toContain(token); // the token is never echoed
        refused++;
      }
      expect((await send(method, path, body)).status, `no token on ${method} ${path}`).toBe(401);
      refused++;
    }

    // Nothing changed: same row counts everywhere, same workflow and command.
    expect(await tableCounts(database)).toEqual(before.tables);
    expect(await workflowRow()).toEqual(before.workflow);
    expect(await commandRow()).toEqual(before.command);

    // The genuine add-on still completes its command afterwards.
    const ok = await api.complete(command.id, { leaseToken: command.leaseToken, result: resultFor(command) });
    expect(ok.status).toBe(200);
    console.log(
      `[chaos] bad tokens: ${refused} requests with forged/expired/wrong-audience/wrong-issuer/unverified/garbage/missing tokens on ${endpoints.length} add-on endpoints: all 401, 0 rows changed`,
    );
  }, 60_000);
});
