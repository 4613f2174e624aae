import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentCacheRequests } from '../../backend/observability/metrics';
import type { RealPresgenSimulator } from '../../backend/simulators/presgen-real-simulator';
import { TestApiClient } from '../support/api-client';
import { startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { createTestDatabase, DRIVERS, type TestDatabase } from '../support/postgres';
import { ScriptedAppsScript } from '../support/scripted-apps-script';
import { startAndSubmit, waitForStatus } from '../support/workflow-driver';
import { teardown } from '../support/teardown';

/**
 * The content cache across workflows: two workflows with identical outlines (same certification,
 * every answer wrong: every domain a gap) get one render per course, the second
 * reusing (or waiting for) the first's decks and videos; a changed outline renders anew.
 */
describe.each(DRIVERS)('content cache (%s)', (driver) => {
  let identity: TestIdentityProvider;
  let pg: TestDatabase | undefined;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let api: TestApiClient;
  let appsScript: ScriptedAppsScript;

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    if (driver === 'postgres') pg = await createTestDatabase();
    backend = await startTestBackend(
      testConfig(identity, {
        DATABASE_URL: pg?.url,
        PRESGEN_CORE_PROTOCOL: 'presgen',
        PRESGEN_AVATAR_PROTOCOL: 'presgen-training',
        CONTENT_CACHE_ENABLED: 'true',
        SIMULATOR_JOB_MS: '300',
      }),
    );
    api = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'cache@school.example' }));
    appsScript = new ScriptedAppsScript(api, { spreadsheetId: 'sheet-of-the-addon' });
    appsScript.start();
  }, 180_000);

  afterAll(async () => {
    await teardown(
      () => appsScript?.stop(),
      () => backend?.stop(),
      () => pg?.drop(),
      () => identity?.close(),
    );
  });

  const renders = () => ({
    decks: (backend.localPresgen!.core as RealPresgenSimulator).stats().renders,
    videos: (backend.localPresgen!.avatar as RealPresgenSimulator).stats().renders,
  });
  const reused = async () => {
    const metric = await contentCacheRequests.get();
    return metric.values.filter((v) => v.labels.outcome !== 'miss').reduce((sum, v) => sum + v.value, 0);
  };

  it('identical outlines render once per course; a changed outline renders again', async () => {
    const reusedBefore = await reused();
    // Both started before either renders, so the second mostly waits for the first's renders.
    const [a, b] = await Promise.all([
      startAndSubmit(api, backend.database, { courseCount: 2, profile: 'all-wrong' }),
      startAndSubmit(api, backend.database, { courseCount: 2, profile: 'all-wrong' }),
    ]);
    for (const id of [a, b])
      expect((await waitForStatus(backend.database, id, ['COMPLETED', 'FAILED', 'NEEDS_ATTENTION'], 60_000)).status).toBe('COMPLETED');
    expect(renders()).toEqual({ decks: 2, videos: 2 });
    expect(await reused()).toBe(reusedBefore + 4);
    const links = async (id: string) => (await api.getWorkflow(id)).body.links;
    expect((await links(b)).presentations.map((p: { url: string }) => p.url)).toEqual(
      (await links(a)).presentations.map((p: { url: string }) => p.url),
    );

    // Other answers, other gaps, other outlines: new renders.
    const c = await startAndSubmit(api, backend.database, { courseCount: 2, profile: 'half' });
    expect((await waitForStatus(backend.database, c, ['COMPLETED', 'FAILED', 'NEEDS_ATTENTION'], 60_000)).status).toBe('COMPLETED');
    expect(renders().decks).toBeGreaterThan(2);
    expect(renders().videos).toBe(renders().decks);
  });
});
