import { and, eq, inArray, sql } from 'drizzle-orm';
import { STEP_STATUSES, type StepStatus } from '../../shared/workflow-status';
import type { Executor } from '../db/client';
import { fanoutItems, workspaceCommands } from '../db/schema';

/**
 * Makes a retry from `fromStep` actually retry: the idempotency keys that protect against
 * duplicates would otherwise hand the re-run the same failed command or job again.
 *  - failed/cancelled PresGen items of those steps go back to pending (PresGen starts a new job
 *    for a key whose job failed or was cancelled);
 *  - failed/cancelled workspace commands are superseded (their key is freed), so the step
 *    enqueues a fresh command with a new id;
 *  - if compensation already trashed the workflow's Drive items, the successful commands of
 *    those steps are superseded too (their results point at trashed files), and so is the
 *    trash command, so a later failure compensates the new files.
 */
export async function rearmForRetry(db: Executor, workflowId: string, fromStep: StepStatus): Promise<{ items: number; commands: number }> {
  const steps = STEP_STATUSES.slice(STEP_STATUSES.indexOf(fromStep));
  return db.transaction(async (tx) => {
    const items = await tx
      .update(fanoutItems)
      .set({
        status: 'pending',
        attempt: 0,
        externalJobId: null,
        submittedAt: null,
        result: null,
        finishedAt: null,
        runAfter: sql`now()`,
        leaseOwner: null,
        leaseExpiresAt: null,
      })
      .where(
        and(eq(fanoutItems.workflowId, workflowId), inArray(fanoutItems.step, steps), inArray(fanoutItems.status, ['failed', 'cancelled'])),
      )
      .returning({ id: fanoutItems.id });

    const [trash] = await tx
      .select({ id: workspaceCommands.id })
      .from(workspaceCommands)
      .where(
        and(
          eq(workspaceCommands.workflowId, workflowId),
          eq(workspaceCommands.type, 'trash_files'),
          sql`${workspaceCommands.status} <> 'superseded'`,
        ),
      );
    const statuses = trash ? ['failed', 'cancelled', 'succeeded', 'pending', 'leased'] : ['failed', 'cancelled'];
    const superseded = await tx
      .update(workspaceCommands)
      .set({ status: 'superseded', idempotencyKey: sql`${workspaceCommands.idempotencyKey} || '#superseded:' || ${workspaceCommands.id}` })
      .where(
        and(
          eq(workspaceCommands.workflowId, workflowId),
          inArray(workspaceCommands.status, statuses),
          trash
            ? sql`(${inArray(workspaceCommands.step, steps)} or ${workspaceCommands.type} = 'trash_files')`
            : inArray(workspaceCommands.step, steps),
        ),
      )
      .returning({ id: workspaceCommands.id });
    return { items: items.length, commands: superseded.length };
  });
}
