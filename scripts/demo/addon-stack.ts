import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAppsScript } from '../build-apps-script';
import { startBackendProcess, type BackendProcess } from '../../tests/support/backend-process';
import { startTestIdentityProvider, subForEmail, type TestIdentityProvider } from '../../tests/support/identity';
import { createWorkspaceEmulator, type EmulatorOptions, type WorkspaceEmulator } from '../../tests/workspace-emulator';
import { InstructorApi } from './backend-api';

/**
 * The whole add-on stack on one machine, for the demo and the end-to-end tests:
 * a test identity provider (JWKS in a worker thread), the backend in a child process (the
 * emulator blocks this thread in Atomics.wait during UrlFetch, so the backend cannot live here),
 * the real add-on bundle built for that backend's URL, and Workspace emulators running it.
 */

export interface AddonStackOptions {
  /** Extra backend environment (PresGen URLs, timings). */
  backendEnv?: Record<string, string>;
  instructorEmail?: string;
  /**
   * Something to put between the add-on and the backend (a fault proxy). Gets the backend URL,
   * returns the URL the bundle is built for (the manifest whitelists only that one).
   */
  front?: (backendUrl: string) => Promise<{ url: string; close(): Promise<void> }>;
  startTimeoutMs?: number;
}

export interface AddonStack {
  idp: TestIdentityProvider;
  backend: BackendProcess;
  /** The URL the add-on calls (the backend's, or the front's). */
  addonUrl: string;
  bundleDir: string;
  instructor: { email: string; sub: string };
  api: InstructorApi;
  /** A fresh Workspace (own Drive, own active spreadsheet) running the add-on as the instructor. */
  newEmulator(opts?: Partial<EmulatorOptions> & { scriptProperties?: Record<string, string> }): WorkspaceEmulator;
  close(): Promise<void>;
}

/** Backend settings for a quick local run: embedded PGlite in memory, local PresGen simulators. */
export const LOCAL_BACKEND_ENV: Record<string, string> = {
  PGLITE_DATA_DIR: 'memory://',
  // Empty = unset: the embedded default even if the caller's shell points elsewhere.
  DATABASE_URL: '',
  PRESGEN_CORE_URL: '',
  PRESGEN_AVATAR_URL: '',
  ASSESSMENT_API_URL: '',
  SMTP_URL: '',
  SLACK_WEBHOOK_URL: '',
  SIMULATOR_JOB_MS: '300',
  PRESGEN_POLL_MS: '100',
};

export async function startAddonStack(opts: AddonStackOptions = {}): Promise<AddonStack> {
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const idp = await startTestIdentityProvider();
    cleanups.push(() => idp.close());
    const backend = await startBackendProcess(
      { ...LOCAL_BACKEND_ENV, GOOGLE_JWKS_URL: idp.jwksUrl, GOOGLE_OAUTH_AUDIENCES: idp.audience, ...opts.backendEnv },
      // tsx compiles the backend on start; a busy shared machine can take over a minute.
      { startTimeoutMs: opts.startTimeoutMs ?? 90_000 },
    );
    cleanups.push(() => backend.kill());
    let addonUrl = backend.url;
    if (opts.front) {
      const front = await opts.front(backend.url);
      cleanups.push(() => front.close());
      addonUrl = front.url;
    }
    // Built only now: the backend URL is build-time configuration (code + urlFetchWhitelist).
    const bundleDir = await mkdtemp(join(tmpdir(), 'presgen-addon-'));
    cleanups.push(() => rm(bundleDir, { recursive: true, force: true }));
    await buildAppsScript({ backendUrl: addonUrl, outDir: bundleDir });

    const email = opts.instructorEmail ?? 'instructor@school.example';
    const instructor = { email, sub: subForEmail(email) };
    const api = new InstructorApi(backend.url, () => idp.signIdTokenSync({ email }));
    const newEmulator: AddonStack['newEmulator'] = (emulatorOpts = {}) => {
      const { scriptProperties, ...rest } = emulatorOpts;
      const emulator = createWorkspaceEmulator({ bundleDir, user: instructor, identity: idp, ...rest });
      for (const [key, value] of Object.entries(scriptProperties ?? {})) emulator.state.properties.script.set(key, value);
      return emulator;
    };
    return { idp, backend, addonUrl, bundleDir, instructor, api, newEmulator, close };
  } catch (err) {
    await close();
    throw err;
  }
}
