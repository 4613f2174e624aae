/**
 * The add-on against the real backend when things go wrong: a Workspace quota error, a backend
 * answering 503, a completion that never reaches the backend (so the command is re-delivered),
 * forged and expired ID tokens, and a trigger on a form. A fault proxy (worker thread) sits
 * between the add-on and the backend.
 */
import { appendFile, copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowView } from '../../shared/contracts/api';
import { startAddonStack, type AddonStack } from '../../scripts/demo/addon-stack';
import { atStatus, pumpUntil } from '../../scripts/demo/drive-workflow';
import { createWorkspaceEmulator, ScriptExecutionError, TRIGGER_ERRORS, type WorkspaceEmulator } from '../workspace-emulator';
import { countCalls, driveItemsNamed, START_FORM } from './support/emulator-helpers';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy';
import { pumpStats, type PumpStats } from './support/pump-stats';

const COMPLETE_PATH = '^/api/workspace/commands/[^/]+/complete$';
const CLAIM_PATH = '^/api/workspace/commands/claim$';
const FOLDER_MIME = 'application/vnd.google-apps.folder';

let proxy: FaultProxy;
let stack: AddonStack;

beforeAll(async () => {
  stack = await startAddonStack({
    // A short command lease, so a command whose completion was lost is offered again quickly.
    backendEnv: { SIMULATOR_JOB_MS: '50', PRESGEN_POLL_MS: '50', COMMAND_LEASE_MS: '3000' },
    front: async (backendUrl) => (proxy = await startFaultProxy(backendUrl)),
  });
}, 150_000);

afterAll(async () => {
  await stack?.close();
});

let requestCounter = 0;
function start(emulator: WorkspaceEmulator, learnerEmail: string): WorkflowView {
  return emulator.run('startAssessment', { ...START_FORM, learnerEmail, requestId: `robust-${++requestCounter}` }) as WorkflowView;
}

/** Sidebar pumps until one of them claims something (the backend enqueues step 3 shortly after the start). */
async function pumpUntilClaimed(emulator: WorkspaceEmulator): Promise<PumpStats> {
  for (let round = 0; round < 100; round++) {
    const stats = pumpStats(emulator.run('pumpNow'));
    if (stats.claimed > 0) return stats;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no command was offered to the add-on');
}

const untilAwaiting = (emulator: WorkspaceEmulator, id: string, collect?: PumpStats[]) =>
  pumpUntil({
    api: stack.api,
    workflowId: id,
    pump: () => collect?.push(pumpStats(emulator.run('pumpNow'))) ?? emulator.run('pumpNow'),
    reached: atStatus('AWAITING_COMPLETION'),
    what: 'AWAITING_COMPLETION',
    deadline: Date.now() + 30_000,
  });

const foldersOf = (emulator: WorkspaceEmulator, id: string) =>
  driveItemsNamed(emulator, new RegExp(`\\(${id.slice(0, 8)}\\)$`), FOLDER_MIME);

describe('robustness', () => {
  it('a Workspace quota error while creating the form is retried: one form, step 3 succeeds first time', async () => {
    const emulator = stack.newEmulator();
    const wf = start(emulator, 'quota@learners.example');
    emulator.injectQuotaError('FormApp.create', 1, 'short');
    const detail = await untilAwaiting(emulator, wf.id);

    expect(countCalls(emulator, 'FormApp.create')).toBe(2);
    expect(emulator.state.forms.size).toBe(1);
    expect(foldersOf(emulator, wf.id)).toHaveLength(1);
    const step3 = detail.steps.filter((s) => s.step === 'CREATING_GOOGLE_RESOURCES');
    expect(step3.map((s) => s.outcome)).not.toContain('failed');
    expect(step3.at(-1)?.outcome).toBe('succeeded');
  });

  it('a command re-delivered after its completion was lost creates no second form', async () => {
    const emulator = stack.newEmulator();
    const wf = start(emulator, 'lost-ack@learners.example');
    // Every completion dies before the backend sees it (as if the acknowledgement was lost).
    await proxy.fail({ method: 'POST', path: COMPLETE_PATH, status: 503, times: 1_000 });
    const first = await pumpUntilClaimed(emulator);
    await proxy.clear();

    expect(first).toMatchObject({ claimed: 1, succeeded: 1, backendError: expect.stringContaining('temporarily unavailable') });
    expect(emulator.state.forms.size).toBe(1);
    expect((await stack.api.getWorkflow(wf.id)).status).toBe('CREATING_GOOGLE_RESOURCES');
    const lost = (await proxy.stats()).injected.filter((i) => new RegExp(COMPLETE_PATH).test(i.path));
    expect(lost.length).toBeGreaterThanOrEqual(2); // the add-on retried the completion before giving up

    // The lease lapses; the backend offers the command again; the add-on answers from its ledger.
    const later: PumpStats[] = [];
    const detail = await untilAwaiting(emulator, wf.id, later);
    expect(later.reduce((n, s) => n + s.replayed, 0)).toBe(1);
    expect(emulator.state.forms.size).toBe(1);
    expect(countCalls(emulator, 'FormApp.create')).toBe(1);
    expect(foldersOf(emulator, wf.id)).toHaveLength(1);
    const assets = detail.outputs.CREATING_GOOGLE_RESOURCES as { formId: string };
    expect(emulator.state.forms.has(assets.formId)).toBe(true);
  });

  it('a backend answering 503 during a pump is survived: the claim and the completion are retried', async () => {
    const emulator = stack.newEmulator();
    const wf = start(emulator, 'unavailable@learners.example');
    const before = (await proxy.stats()).injected.length;
    await proxy.fail({ method: 'POST', path: CLAIM_PATH, status: 503, times: 1, retryAfterSeconds: 1 });
    await proxy.fail({ method: 'POST', path: COMPLETE_PATH, status: 503, times: 2 });
    const stats = await pumpUntilClaimed(emulator);

    expect(stats).toMatchObject({ claimed: 1, succeeded: 1, staleLeases: 0 });
    expect(stats.backendError).toBeUndefined();
    const injected = (await proxy.stats()).injected.slice(before);
    expect(injected.map((i) => i.status)).toEqual([503, 503, 503]);
    await untilAwaiting(emulator, wf.id);
    expect(emulator.state.forms.size).toBe(1);
    expect(countCalls(emulator, 'Utilities.sleep')).toBeGreaterThanOrEqual(3);
  });

  describe('ID tokens the backend must refuse', () => {
    const identities = {
      forged: () => ({ audience: stack.idp.audience, signIdTokenSync: stack.idp.forgeIdTokenSync }),
      expired: () => ({
        audience: stack.idp.audience,
        signIdTokenSync: (claims: Parameters<typeof stack.idp.signIdTokenSync>[0]) =>
          stack.idp.signIdTokenSync({ ...claims, expiresInSeconds: -600 }),
      }),
    };
    it.each(Object.keys(identities) as Array<keyof typeof identities>)(
      '%s ID token: the sidebar shows a readable 401 message and nothing changes',
      async (kind) => {
        const emulator = stack.newEmulator({ identity: identities[kind]() });
        const before = (await stack.api.listWorkflows()).items.length;

        expect(() => start(emulator, `${kind}@learners.example`)).toThrow(ScriptExecutionError);
        let message = '';
        try {
          emulator.run('listMyWorkflows');
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).toBe('PresGen-Assess could not verify your Google sign-in. Reload the spreadsheet and try again.');
        const pumped = pumpStats(emulator.run('pumpNow'));
        expect(pumped).toMatchObject({ claimed: 0, backendError: expect.stringContaining('could not verify your Google sign-in') });

        const after = (await stack.api.listWorkflows()).items;
        expect(after).toHaveLength(before);
        expect(after.map((w) => w.learnerEmail)).not.toContain(`${kind}@learners.example`);
      },
    );
  });

  it('installing a trigger on a form fails as in Google; the add-on keeps its one spreadsheet trigger', async () => {
    // The real bundle plus one probe function that tries what the add-on must never do.
    const probeDir = await mkdtemp(join(tmpdir(), 'presgen-probe-'));
    try {
      for (const file of await readdir(stack.bundleDir)) await copyFile(join(stack.bundleDir, file), join(probeDir, file));
      await appendFile(
        join(probeDir, 'Code.js'),
        "\nfunction probeInstallFormTrigger(formId) {\n  ScriptApp.newTrigger('onFormSubmitDispatcher').forForm(FormApp.openById(formId)).onFormSubmit().create();\n}\n",
      );
      const emulator = createWorkspaceEmulator({ bundleDir: probeDir, user: stack.instructor, identity: stack.idp });
      const wf = start(emulator, 'form-trigger@learners.example');
      const detail = await untilAwaiting(emulator, wf.id);
      const { formId } = detail.outputs.CREATING_GOOGLE_RESOURCES as { formId: string };
      const triggersBefore = structuredClone(emulator.state.triggers);

      expect(() => emulator.run('probeInstallFormTrigger', formId)).toThrow(TRIGGER_ERRORS.otherDocument);
      expect(emulator.state.triggers).toEqual(triggersBefore);
      expect(emulator.state.triggers.filter((t) => t.triggerSource === 'FORMS')).toHaveLength(0);
      expect(emulator.state.triggers.filter((t) => t.eventType === 'ON_FORM_SUBMIT')).toEqual([
        expect.objectContaining({ triggerSource: 'SPREADSHEETS', triggerSourceId: emulator.activeSpreadsheetId }),
      ]);
    } finally {
      await rm(probeDir, { recursive: true, force: true });
    }
  });
});
