import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../backend/config';
import { getWorkflow } from '../../backend/db/repositories/workflow-repository';
import { listFanoutItems } from '../../backend/workflow/fanout/fanout-store';
import { startRuntime, type Runtime } from '../../backend/runtime';
import { eventually } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { extractRunbookBlocks, type RunbookBlock } from './runbook-blocks';
import { runBash } from './run-shell';
import { seedAttentionWorkflow, seedBackground, seedPoisonWorkflow } from './runbook-fixtures';
import { teardown } from '../support/teardown';

/**
 * The runbooks cannot rot: every `sh runbook` block of the operator docs runs, as written, with
 * bash against a real backend (HTTP on loopback, engine, PresGen simulators) on the machine's
 * PostgreSQL, so psql queries hit the real schema. Each block gets a fresh workflow in
 * NEEDS_ATTENTION as $WORKFLOW_ID unless it says `continue`.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS = ['docs/runbooks/workflow_failures.md', 'docs/deployment.md'];
const ADMIN_TOKEN = 'runbook-admin-token-0123456789';
const BLOCK_TIMEOUT_MS = 20_000;

const blocks: RunbookBlock[] = DOCS.flatMap((file) => extractRunbookBlocks(readFileSync(join(ROOT, file), 'utf8'), file));

let testDb: TestDatabase;
let idp: TestIdentityProvider;
let runtime: Runtime;
let env: Record<string, string>;
let workflowId: string | undefined;

beforeAll(async () => {
  testDb = await createTestDatabase('presgen_runbook');
  idp = await startTestIdentityProvider({ audience: 'test-aud' });
  runtime = await startRuntime(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: testDb.url,
      DATABASE_POOL_SIZE: '4',
      ADMIN_TOKEN,
      GOOGLE_OAUTH_AUDIENCES: 'test-aud',
      GOOGLE_JWKS_URL: idp.jwksUrl,
      SIMULATOR_JOB_MS: '10',
      PRESGEN_POLL_MS: '20',
      RETRY_BASE_MS: '20',
      RETRY_MAX_MS: '200',
      LEASE_MS: '2000',
      // The runbook's blocks inject jobs-contract faults and read fan-out items of that contract.
      PRESGEN_CORE_PROTOCOL: 'jobs',
      PRESGEN_AVATAR_PROTOCOL: 'jobs',
      CONTENT_CACHE_ENABLED: 'false',
    }),
  );
  await seedBackground(runtime.database);
  await seedPoisonWorkflow(
    runtime.database,
    (id) => runtime.service.retry(id, { name: 'runbook-fixture' }, undefined, 'fixture retry'),
    (id, status) =>
      // A failure compensates after its FAILED checkpoint: the next retry waits until that is done.
      eventually(
        async () => {
          const wf = await getWorkflow(runtime.database.db, id);
          return wf?.status === status && !wf.compensationKey;
        },
        { timeoutMs: 15_000, what: `workflow ${id} to be ${status} with its compensation done` },
      ),
    () => runtime.simulators!.avatar.injectFaults({ rules: [{ type: 'bad_request', operation: 'submit', count: 1 }] }),
  );
  env = {
    BACKEND_URL: runtime.url!,
    ADMIN_TOKEN,
    DATABASE_URL: testDb.url,
    OPERATOR: 'runbook-test',
    GOOGLE_JWKS_URL: idp.jwksUrl,
    PRESGEN_CORE_URL: runtime.simulators!.core.url,
    PRESGEN_AVATAR_URL: runtime.simulators!.avatar.url,
  };
});

afterAll(async () => {
  await teardown(
    () => runtime?.stop(),
    () => idp?.close(),
    () => testDb?.drop(),
  );
});

describe('runbook command blocks', () => {
  it('finds the runnable blocks of both documents', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(30);
    expect(new Set(blocks.map((b) => b.file))).toEqual(new Set(DOCS));
  });

  // Sequential on purpose: `continue` blocks act on the workflow the previous block used.
  for (const block of blocks) {
    it(`${block.file}:${block.line} (${block.section})`, async () => {
      if (!block.continueWorkflow || !workflowId) workflowId = await seedAttentionWorkflow(runtime.database);
      const result = await runBash(block.code, { ...env, WORKFLOW_ID: workflowId }, BLOCK_TIMEOUT_MS);
      const report = `exit ${result.code}${result.signal ? ` (${result.signal})` : ''}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
      expect(result.code, report).toBe(0);
      if (block.expect) expect(result.stdout, report).toContain(block.expect);
    });
  }
});

describe('the replay procedure really replays', () => {
  it('re-arming the failed video and retrying from the failed step finishes step 10 and reaches FINALIZING', async () => {
    const replay = blocks.filter((b) => b.section === 'Replaying a failed workflow');
    expect(replay.length).toBeGreaterThanOrEqual(2);
    const id = await seedAttentionWorkflow(runtime.database);
    for (const block of replay) {
      const result = await runBash(block.code, { ...env, WORKFLOW_ID: id }, BLOCK_TIMEOUT_MS);
      expect(result.code, result.stderr).toBe(0);
    }
    let seen = '';
    const wf = await eventually(
      async () => {
        const row = await getWorkflow(runtime.database.db, id);
        seen = `${row?.status} (${row?.lastError?.replace(/\s+/g, ' ') ?? 'no error'})`;
        return row?.status === 'FINALIZING' ? row : undefined;
      },
      { timeoutMs: 20_000, what: 'the replayed workflow to reach FINALIZING' },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last seen ${seen}`);
    });
    const videos = (await listFanoutItems(runtime.database.db, id, 'GENERATING_AVATAR_VIDEOS')).map((i) => i.status);
    expect(videos).toEqual(['succeeded', 'succeeded']);
    expect((wf.outputs as Record<string, { videos?: unknown[] }>).GENERATING_AVATAR_VIDEOS?.videos).toHaveLength(2);
  });
});
