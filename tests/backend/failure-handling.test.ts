import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../backend/db/repositories/workflow-repository';
import { TestApiClient } from '../support/api-client';
import { eventually, startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { ScriptedAppsScript } from '../support/scripted-apps-script';
import { startAndSubmit, waitForStatus } from '../support/workflow-driver';

/** Transient PresGen failures are retried until they succeed; a permanent one fails the workflow after compensation. */
describe('PresGen failures', () => {
  let identity: TestIdentityProvider;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let api: TestApiClient;
  let appsScript: ScriptedAppsScript;

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    backend = await startTestBackend(testConfig(identity, { RETRY_BASE_MS: '50', RETRY_MAX_MS: '400' }));
    api = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'failures@school.example' }));
    appsScript = new ScriptedAppsScript(api);
    appsScript.start();
  });
  afterEach(() => {
    backend.simulators!.core.clearFaults();
    backend.simulators!.core.reset();
  });
  afterAll(async () => {
    await appsScript?.stop();
    await backend?.stop();
    await identity?.close();
  });

  it('retries 503s on submit and completes', async () => {
    backend.simulators!.core.injectFaults({ rules: [{ type: 'unavailable', count: 4, operation: 'submit' }] });
    const id = await startAndSubmit(api, backend.database, { courseCount: 2 });
    const wf = await waitForStatus(backend.database, id, ['COMPLETED', 'FAILED', 'NEEDS_ATTENTION']);
    expect(wf.status).toBe('COMPLETED');
    const stats = backend.simulators!.core.stats();
    expect(stats.statusCodes['503']).toBe(4);
    expect(Object.values(stats.jobsByIdempotencyKey).every((k) => k.jobsCreated === 1)).toBe(true);
  });

  it('honours 429 Retry-After and completes', async () => {
    backend.simulators!.core.injectFaults({ rules: [{ type: 'rate_limited', count: 1, retryAfterSeconds: 1, operation: 'submit' }] });
    const id = await startAndSubmit(api, backend.database);
    const wf = await waitForStatus(backend.database, id, ['COMPLETED', 'FAILED', 'NEEDS_ATTENTION']);
    expect(wf.status).toBe('COMPLETED');
    const submits = backend.simulators!.core.stats().requests.filter((r) => r.operation === 'submit');
    const limited = submits.findIndex((r) => r.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    // The next submit came no sooner than the Retry-After the simulator asked for.
    expect(submits[limited + 1].at - submits[limited].at).toBeGreaterThanOrEqual(1000);
  });

  it('a 400 fails the workflow permanently, with compensation recorded', async () => {
    backend.simulators!.core.injectFaults({ rules: [{ type: 'bad_request', operation: 'submit' }] });
    const id = await startAndSubmit(api, backend.database, { courseCount: 2 });
    const wf = await waitForStatus(backend.database, id, ['COMPLETED', 'FAILED', 'NEEDS_ATTENTION']);
    expect(wf.status).toBe('FAILED');
    expect(wf.failedStep).toBe('GENERATING_PRESENTATIONS');
    expect(wf.lastError).toMatch(/400|bad_request|4xx/i);
    // Not retried: one submit per course reached PresGen.
    expect(backend.simulators!.core.stats().submitRequests).toBe(2);
    const audit = await listAuditEvents(backend.database.db, id);
    const compensation = audit.filter((a) => a.type === 'compensation');
    expect(compensation.map((c) => (c.details as { step: string }).step)).toContain('CREATING_GOOGLE_RESOURCES');
    expect(audit.at(-1)).toMatchObject({ toStatus: 'FAILED' });
    // The Drive items are trashed through the compensation command.
    await eventually(async () => appsScript.countByType('trash_files', id) > 0, { what: 'trash command executed' });
    expect(appsScript.countByType('trash_files', id)).toBe(1);
    const trash = appsScript.executed.find((c) => c.type === 'trash_files' && c.workflowId === id)!;
    expect(trash.payload).toEqual({ fileIds: [`form-${id}`, `sheet-${id}`, `folder-${id}`] });
  });
});
