import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimedCommand } from '../../shared/contracts/commands';
import { TestApiClient } from '../support/api-client';
import { eventually, startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { createTestDatabase, DRIVERS, type TestDatabase } from '../support/postgres';
import { resultFor } from '../support/scripted-apps-script';

/**
 * POST /api/workspace/commands/{id}/renew (issue 9): the holder of a command still working on it
 * extends its lease; only the current lease token of a leased command can, with the same owner
 * check as complete. On both drivers, over HTTP.
 */
describe.each(DRIVERS)('command lease renewal (%s)', (driver) => {
  const COMMAND_LEASE_MS = 1_500;
  let identity: TestIdentityProvider;
  let pg: TestDatabase | undefined;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let api: TestApiClient;
  let stranger: TestApiClient;

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    if (driver === 'postgres') pg = await createTestDatabase();
    backend = await startTestBackend(testConfig(identity, { DATABASE_URL: pg?.url, COMMAND_LEASE_MS: String(COMMAND_LEASE_MS) }));
    api = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'renew@school.example' }));
    stranger = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'other@school.example' }));
  }, 60_000);

  afterAll(async () => {
    await backend?.stop();
    await pg?.drop();
    await identity?.close();
  });

  async function claimCreateCommand(): Promise<ClaimedCommand> {
    return eventually(
      async () => ((await api.claim({ max: 5 })).body.commands as ClaimedCommand[]).find((c) => c.type === 'create_assessment_assets'),
      { what: 'create_assessment_assets claimable', timeoutMs: 15_000 },
    );
  }

  it('extends the current lease, refuses stale tokens, other instructors and unknown ids', async () => {
    const created = await api.createWorkflow({
      certificationId: 'aws-saa-c03',
      learnerEmail: 'learner@example.com',
      courseCount: 1,
      slidesPerCourse: 3,
      avatarVideos: false,
      spreadsheetId: `renew-sheet-${driver}`,
    });
    expect(created.status).toBe(201);
    const first = await claimCreateCommand();

    const renewed = await api.renew(first.id, { leaseToken: first.leaseToken });
    expect(renewed.status).toBe(200);
    expect(Date.parse(renewed.body.leaseExpiresAt)).toBeGreaterThanOrEqual(Date.parse(first.leaseExpiresAt));
    // Renewed, the command is not offered to anybody else.
    expect(((await api.claim({ max: 5 })).body.commands as ClaimedCommand[]).map((c) => c.id)).not.toContain(first.id);

    const wrongToken = await api.renew(first.id, { leaseToken: 'not-the-token' });
    expect(wrongToken.status).toBe(409);
    expect(wrongToken.body.error.code).toBe('stale_lease');
    expect((await stranger.renew(first.id, { leaseToken: first.leaseToken })).status).toBe(403);
    expect((await api.renew('00000000-0000-4000-8000-000000000000', { leaseToken: first.leaseToken })).status).toBe(404);
    const invalid = await api.renew(first.id, {});
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.map((d: { field: string }) => d.field)).toContain('body.leaseToken');

    // The lease lapses without renewal; the command is claimed again: the old token cannot renew it.
    const second = await claimCreateCommand();
    expect(second.id).toBe(first.id);
    const stale = await api.renew(first.id, { leaseToken: first.leaseToken });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_lease');

    // Completed, the command has no lease to renew, even with its last token.
    expect((await api.complete(second.id, { leaseToken: second.leaseToken, result: resultFor(second) })).status).toBe(200);
    expect((await api.renew(second.id, { leaseToken: second.leaseToken })).status).toBe(409);
  });
});
