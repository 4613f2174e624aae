import { sql } from 'drizzle-orm';
import { rows, type Database } from '../../../backend/db/client';
import type { Runtime } from '../../../backend/runtime';
import { startLocalPresgen, type LocalPresgen } from '../../../backend/simulators/start-simulators';
import { TestApiClient } from '../../support/api-client';
import { eventually, startTestBackend, testConfig } from '../../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../../support/identity';
import { submissionFor } from '../../support/learner';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';
import { ScriptedAppsScript } from '../../support/scripted-apps-script';
import { teardown } from '../../support/teardown';

/**
 * One in-process backend on its own Postgres database, with PresGen simulators the test controls
 * (fault injection, counters), a test identity provider, and a stand-in add-on pumping commands.
 * `presgenUrls` lets a scenario put something (a recording proxy) between backend and simulator.
 */

export const INSTRUCTOR = 'chaos@school.example';

export interface ChaosStack {
  identity: TestIdentityProvider;
  pg: TestDatabase;
  presgen: LocalPresgen;
  backend: Runtime & { url: string };
  /** The backend's database handle (for assertions). */
  database: Database;
  api: TestApiClient;
  appsScript: ScriptedAppsScript;
  close(): Promise<void>;
}

export interface ChaosStackOptions {
  env?: Record<string, string>;
  jobMs?: number;
  /** Put a proxy in front of the simulators; gets their URLs, returns the URLs the backend uses. */
  presgenUrls?: (sims: { core: string; avatar: string }) => Promise<{ core: string; avatar: string }>;
  /** The backend reaches Postgres through this URL instead of the test database's own. */
  databaseUrl?: (direct: string) => string;
  /** Start the stand-in add-on's command pump (default true); false leaves claiming to the test. */
  pumpCommands?: boolean;
}

export async function startChaosStack(opts: ChaosStackOptions = {}): Promise<ChaosStack> {
  const identity = await startTestIdentityProvider();
  let pg: TestDatabase | undefined;
  let presgen: LocalPresgen | undefined;
  try {
    pg = await createTestDatabase('presgen_chaos');
    presgen = await startLocalPresgen({ jobMs: opts.jobMs ?? 50 });
    const urls = opts.presgenUrls
      ? await opts.presgenUrls({ core: presgen.core.url, avatar: presgen.avatar.url })
      : { core: presgen.core.url, avatar: presgen.avatar.url };
    const backend = await startTestBackend(
      testConfig(identity, {
        DATABASE_URL: opts.databaseUrl ? opts.databaseUrl(pg.url) : pg.url,
        PRESGEN_CORE_URL: urls.core,
        PRESGEN_AVATAR_URL: urls.avatar,
        PRESGEN_POLL_MS: '50',
        ...opts.env,
      }),
    );
    const api = new TestApiClient(backend.url, () => identity.signIdToken({ email: INSTRUCTOR }));
    const appsScript = new ScriptedAppsScript(api, { intervalMs: 20 });
    if (opts.pumpCommands !== false) appsScript.start();
    const started = { pg, presgen };
    return {
      identity,
      ...started,
      backend,
      database: backend.database,
      api,
      appsScript,
      async close() {
        await teardown(
          () => appsScript.stop(),
          () => backend.stop(),
          () => started.presgen.close(),
          () => started.pg.drop(),
          () => identity.close(),
        );
      },
    };
  } catch (err) {
    // A stack that failed to start leaves nothing running and no database behind.
    await teardown(
      () => presgen?.close(),
      () => pg?.drop(),
      () => identity.close(),
    ).catch(() => undefined);
    throw err;
  }
}

/** Creates `count` workflows through the API (the sidebar's "Start assessment"). */
export async function createWorkflows(api: TestApiClient, count: number, courseCount: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await api.createWorkflow({
      certificationId: i % 2 ? 'aws-saa-c03' : 'comptia-security-plus-sy0-701',
      learnerEmail: `learner${i}@example.com`,
      courseCount,
      slidesPerCourse: 2,
      spreadsheetId: 'sheet-of-the-addon',
    });
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(res.body.id as string);
  }
  return ids;
}

export async function waitForAll(database: Database, ids: string[], status: string, timeoutMs = 45_000): Promise<void> {
  await eventually(
    async () => {
      const [r] = await rows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from workflows where status = ${status} and id in ${ids}`,
      );
      return Number(r.n) === ids.length;
    },
    { what: `${ids.length} workflows ${status}`, timeoutMs, intervalMs: 50 },
  );
}

/** The learner of each workflow answers its form (the add-on's form-submit trigger posts it). */
export async function submitAll(api: TestApiClient, database: Database, ids: string[]): Promise<void> {
  for (const id of ids) {
    const res = await api.submitForm(await submissionFor(database, id, 'half'));
    if (res.status !== 202) throw new Error(`submission failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** Value of a labelled gauge/counter in a Prometheus text exposition. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.indexOf('}'));
    const ok = Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
