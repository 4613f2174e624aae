import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../backend/db/client';
import type { ClaimedCommand } from '../../shared/contracts/commands';
import { STEP_STATUSES } from '../../shared/workflow-status';
import { eventually } from '../support/backend';
import { submissionFor } from '../support/learner';
import { resultFor } from '../support/scripted-apps-script';
import { createWorkflows, startChaosStack, waitForAll, type ChaosStack } from './support/chaos-stack';
import { doubleStepRuns, doubleTransitions, succeededStepsPerWorkflow } from './support/invariants';

/**
 * Duplicates and out-of-order deliveries, as Apps Script produces them after lost
 * acknowledgements and retried triggers: the same command completion twice (in sequence and
 * concurrently), a completion for an old lease after the command was re-claimed (409), the same
 * form submission posted concurrently, a second response and a late one after completion. None
 * may cause a second transition: one audit transition per (workflow, to_status).
 */
describe('chaos: duplicate and out-of-order deliveries', () => {
  const COMMAND_LEASE_MS = 1000;
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await startChaosStack({ pumpCommands: false, env: { COMMAND_LEASE_MS: String(COMMAND_LEASE_MS) } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function claimCreateCommand(): Promise<ClaimedCommand> {
    return eventually(
      async () => {
        const res = await stack.api.claim({ max: 5 });
        expect(res.status).toBe(200);
        return (res.body.commands as ClaimedCommand[]).find((c) => c.type === 'create_assessment_assets');
      },
      { what: 'create_assessment_assets command claimable', timeoutMs: 15_000 },
    );
  }

  it('causes no double transition', async () => {
    const { api, database, appsScript } = stack;
    const [id] = await createWorkflows(api, 1, 1);
    const counts = { stale409: 0, duplicateAcks: 0, duplicateSubmissions: 0 };

    // The add-on claims the create command, then loses it (lease expires) and it is re-claimed.
    const first = await claimCreateCommand();
    // Polls until the lease has expired and the command is offered again.
    const second = await claimCreateCommand();
    expect(second.id).toBe(first.id);
    expect(second.leaseToken).not.toBe(first.leaseToken);

    // A completion for the old lease arrives late: refused, nothing changes.
    const stale = await api.complete(first.id, { leaseToken: first.leaseToken, result: resultFor(first) });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_lease');
    counts.stale409++;

    // The current lease's completion is delivered twice at once, then once more.
    const racing = await Promise.all(
      [0, 1].map(() => api.complete(second.id, { leaseToken: second.leaseToken, result: resultFor(second) })),
    );
    expect(racing.map((r) => r.status)).toEqual([200, 200]);
    expect(racing.map((r) => r.body.duplicate).sort()).toEqual([false, true]);
    const again = await api.complete(second.id, { leaseToken: second.leaseToken, result: resultFor(second) });
    expect(again.body).toEqual({ accepted: true, duplicate: true });
    counts.duplicateAcks += 2;
    // ...and the old lease once more, out of order after success: still refused.
    expect((await api.complete(first.id, { leaseToken: first.leaseToken, result: resultFor(first) })).status).toBe(409);
    counts.stale409++;

    appsScript.start();
    await waitForAll(database, [id], 'AWAITING_COMPLETION');

    // The form-submit trigger fires several times for one response, concurrently.
    const submission = await submissionFor(database, id, 'half');
    const posts = await Promise.all(Array.from({ length: 5 }, () => api.submitForm(submission)));
    expect(posts.every((p) => p.status === 202)).toBe(true);
    expect(posts.filter((p) => p.body.duplicate === false)).toHaveLength(1);
    counts.duplicateSubmissions += 4;
    // A second, different response (the learner submitted twice) together with a repeat of the first.
    const secondResponse = { ...(await submissionFor(database, id, 'all-wrong')) };
    const mixed = await Promise.all([api.submitForm(secondResponse), api.submitForm(submission)]);
    expect(mixed.map((p) => p.status)).toEqual([202, 202]);
    expect(mixed[1].body.duplicate).toBe(true);
    counts.duplicateSubmissions += 1;

    await waitForAll(database, [id], 'COMPLETED', 30_000);
    // Late deliveries after completion: a repeat submission, a new response, a repeat completion.
    expect((await api.submitForm(submission)).body.duplicate).toBe(true);
    expect((await api.submitForm(await submissionFor(database, id, 'all-correct'))).status).toBe(202);
    expect((await api.complete(second.id, { leaseToken: second.leaseToken, result: resultFor(second) })).body.duplicate).toBe(true);
    counts.duplicateSubmissions += 1;
    counts.duplicateAcks += 1;
    await appsScript.stop();
    // The late deliveries woke nothing: a completed workflow is not due and holds no lease (a
    // wrongly woken one would have run_after set until an engine claimed it).
    expect(
      (
        await rows<{ status: string; run_after: unknown; lease_owner: unknown }>(
          database.db,
          sql`select status, run_after, lease_owner from workflows where id = ${id}`,
        )
      )[0],
    ).toEqual({
      status: 'COMPLETED',
      run_after: null,
      lease_owner: null,
    });
    expect(await doubleTransitions(database)).toEqual([]);
    expect(await doubleStepRuns(database)).toEqual([]);
    expect((await succeededStepsPerWorkflow(database)).get(id)).toBe(STEP_STATUSES.length);
    const transitions = await rows<{ to_status: string }>(
      database.db,
      sql`select to_status from audit_events where workflow_id = ${id} and type = 'transition'`,
    );
    expect(transitions).toHaveLength(STEP_STATUSES.length);
    const [creates] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from workspace_commands where workflow_id = ${id} and type = 'create_assessment_assets'`,
    );
    expect(Number(creates.n)).toBe(1);
    // The graded submission is the first one; the later responses are stored, not graded again.
    const [graded] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from step_runs where workflow_id = ${id} and step = 'ANALYZING_RESULTS' and outcome = 'succeeded'`,
    );
    expect(Number(graded.n)).toBe(1);
    console.log(
      `[chaos] duplicates: ${counts.stale409} stale-lease completions refused (409), ${counts.duplicateAcks} duplicate completions acknowledged, ` +
        `${counts.duplicateSubmissions} duplicate submissions and 2 extra responses absorbed; transitions per status 1 (${transitions.length} in total), double transitions 0`,
    );
  }, 60_000);
});
