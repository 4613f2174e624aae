import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getWorkflow } from '../../backend/db/repositories/workflow-repository';
import { listSubmissions } from '../../backend/integration/presgen-submissions';
import type { RealPresgenSimulator } from '../../backend/simulators/presgen-real-simulator';
import type { PresgenSimulator } from '../../backend/simulators/presgen-simulator';
import { TestApiClient } from '../support/api-client';
import { startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { ScriptedAppsScript } from '../support/scripted-apps-script';
import { startAndSubmit, waitForStatus } from '../support/workflow-driver';

/**
 * A 3-course workflow through the Apps Script protocol on every combination of PresGen protocols,
 * against the local simulators (which speak exactly the configured protocol): it completes with a
 * deck URL and a video URL per course, and each service rendered one artefact per course.
 */

const COMBINATIONS = [
  ['presgen', 'presgen-training'],
  ['presgen', 'presgen-avatar'],
  ['presgen', 'jobs'],
  ['jobs', 'presgen-training'],
  ['jobs', 'presgen-avatar'],
  ['jobs', 'jobs'],
] as const;

/** Renders (real protocols) or jobs (jobs contract) the simulator made. */
function rendered(sim: RealPresgenSimulator | PresgenSimulator): number {
  const stats = sim.stats();
  return 'renders' in stats ? stats.renders : stats.jobsCreated;
}

describe.each(COMBINATIONS)('PresGen-Core %s + videos %s', (coreProtocol, avatarProtocol) => {
  let identity: TestIdentityProvider;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let api: TestApiClient;
  let appsScript: ScriptedAppsScript;

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    backend = await startTestBackend(
      testConfig(identity, { PRESGEN_CORE_PROTOCOL: coreProtocol, PRESGEN_AVATAR_PROTOCOL: avatarProtocol, SIMULATOR_JOB_MS: '150' }),
    );
    api = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'protocols@school.example' }));
    appsScript = new ScriptedAppsScript(api, { spreadsheetId: 'sheet-of-the-addon' });
    appsScript.start();
  });

  afterAll(async () => {
    await appsScript?.stop();
    await backend?.stop();
    await identity?.close();
  });

  it('completes with a deck and a video per course, one render each', async () => {
    const id = await startAndSubmit(api, backend.database, { courseCount: 3 });
    const wf = await waitForStatus(backend.database, id, ['COMPLETED', 'FAILED', 'NEEDS_ATTENTION'], 60_000);
    expect(wf.status, wf.lastError ?? '').toBe('COMPLETED');
    const body = (await api.getWorkflow(id)).body;
    expect(body.links.presentations).toHaveLength(3);
    expect(body.links.videos).toHaveLength(3);
    for (const link of [...body.links.presentations, ...body.links.videos]) expect(() => new URL(link.url)).not.toThrow();
    if (coreProtocol === 'presgen') {
      for (const deck of body.links.presentations) expect(deck.url).toMatch(/^https:\/\/docs\.google\.com\/presentation\/d\//);
    }
    if (avatarProtocol === 'presgen-training') {
      for (const video of body.links.videos) expect(video.url).toContain(`${backend.localPresgen!.avatar.url}/training/download/`);
    }
    expect(rendered(backend.localPresgen!.core)).toBe(3);
    expect(rendered(backend.localPresgen!.avatar)).toBe(3);
    const ledger = await listSubmissions(backend.database.db, id);
    const expectedLedger = (coreProtocol === 'jobs' ? 0 : 3) + (avatarProtocol === 'jobs' ? 0 : 3);
    expect(ledger.filter((s) => s.outcome === 'succeeded')).toHaveLength(expectedLedger);
    expect(ledger.filter((s) => s.possibleDuplicateOf !== null)).toHaveLength(0);
    expect((await getWorkflow(backend.database.db, id))?.status).toBe('COMPLETED');
  });
});
