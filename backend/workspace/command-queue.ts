import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import { COMMAND_CONTRACTS, type CommandType, type CommandCompletion } from '../../shared/contracts/commands';
import type { StepStatus } from '../../shared/workflow-status';
import { rows, type Database, type Executor } from '../db/client';
import { workspaceCommands } from '../db/schema';
import { WAKE_CHANNEL } from '../workflow/wake-channel';
import { wakeWorkflowsCte } from '../db/wake-workflows';
import { backoffDelayMs } from '../../shared/backoff';
import { log } from '../observability/logger';

/**
 * The queue of work for Apps Script. The backend never calls into Apps Script: steps enqueue
 * commands (idempotent on `workflowId:step:name`), the add-on claims them with a lease and posts
 * each result back; a completed command wakes its workflow.
 */

export type CommandRow = typeof workspaceCommands.$inferSelect;

export interface CommandSpec<T extends CommandType = CommandType> {
  /** Unique within the step, e.g. 'assets', 'tab:Gap_Analysis'. */
  name: string;
  type: T;
  payload: unknown;
}

export type AwaitedCommands =
  { state: 'ready'; results: Record<string, unknown> } | { state: 'pending' } | { state: 'failed'; error: string; name: string };

export class CommandRejectedError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class WorkspaceCommandQueue {
  constructor(
    private readonly database: Database,
    private readonly leaseMs: number,
  ) {}

  private get db(): Executor {
    return this.database.db;
  }

  /**
   * Enqueues the commands a step needs (once) and reports whether all have results. Re-running a
   * step after a crash or a wake-up enqueues nothing new.
   */
  async ensureCommands(
    workflow: { id: string; ownerEmail: string; spreadsheetId: string | null },
    step: StepStatus,
    specs: CommandSpec[],
  ): Promise<AwaitedCommands> {
    const keys = specs.map((s) => `${workflow.id}:${step}:${s.name}`);
    // One query when the commands exist (every re-run); an insert and a wake-up on the first run.
    const existing = await this.db.select().from(workspaceCommands).where(inArray(workspaceCommands.idempotencyKey, keys));
    const missing = specs.filter((s, i) => !existing.some((c) => c.idempotencyKey === keys[i]));
    if (missing.length > 0) {
      const inserted = await this.db
        .insert(workspaceCommands)
        .values(
          missing.map((s) => ({
            id: randomUUID(),
            workflowId: workflow.id,
            ownerEmail: workflow.ownerEmail,
            spreadsheetId: workflow.spreadsheetId,
            step,
            type: s.type,
            payload: COMMAND_CONTRACTS[s.type].payload.parse(s.payload),
            idempotencyKey: `${workflow.id}:${step}:${s.name}`,
          })),
        )
        .onConflictDoNothing()
        .returning();
      existing.push(...inserted);
      if (inserted.length < missing.length) return { state: 'pending' }; // a concurrent run inserted the rest
      log().debug({ commands: missing.map((m) => m.type) }, 'workspace commands enqueued');
      await this.database.notify(WAKE_CHANNEL.commands);
    }
    const results: Record<string, unknown> = {};
    for (const [i, spec] of specs.entries()) {
      const row = existing.find((c) => c.idempotencyKey === keys[i]);
      if (!row || row.status === 'pending' || row.status === 'leased') return { state: 'pending' };
      if (row.status !== 'succeeded') return { state: 'failed', error: row.error ?? row.status, name: spec.name };
      results[spec.name] = row.result;
    }
    return { state: 'ready', results };
  }

  /** Leases pending (or lease-expired) commands of one instructor, oldest first. */
  async claim(ownerEmail: string, opts: { spreadsheetId?: string; max: number }): Promise<CommandRow[]> {
    const available = and(
      eq(workspaceCommands.ownerEmail, ownerEmail),
      opts.spreadsheetId ? or(eq(workspaceCommands.spreadsheetId, opts.spreadsheetId), isNull(workspaceCommands.spreadsheetId)) : undefined,
      or(
        and(eq(workspaceCommands.status, 'pending'), lte(workspaceCommands.availableAt, sql`now()`)),
        and(eq(workspaceCommands.status, 'leased'), lt(workspaceCommands.leaseExpiresAt, sql`now()`)),
      ),
    );
    const due = this.db
      .select({ id: workspaceCommands.id })
      .from(workspaceCommands)
      .where(available)
      .orderBy(asc(workspaceCommands.createdAt))
      .limit(opts.max)
      .for('update', { skipLocked: true });
    return this.db
      .update(workspaceCommands)
      .set({
        status: 'leased',
        leaseToken: sql`md5(random()::text || clock_timestamp()::text)`,
        leaseExpiresAt: sql`now() + ${this.leaseMs} * interval '1 millisecond'`,
        attempts: sql`${workspaceCommands.attempts} + 1`,
      })
      .where(inArray(workspaceCommands.id, due))
      .returning();
  }

  /**
   * Accepts a result (validated against the command type's contract) or an error, only from the
   * command's owner and only with the current lease token. A repeated delivery of the same
   * completion is acknowledged as a duplicate and changes nothing.
   */
  async complete(
    ownerEmail: string,
    commandId: string,
    completion: CommandCompletion,
  ): Promise<{ duplicate: boolean; command: CommandRow }> {
    const [command] = await this.db.select().from(workspaceCommands).where(eq(workspaceCommands.id, commandId));
    if (!command) throw new CommandRejectedError(404, 'not_found', 'command not found');
    if (command.ownerEmail !== ownerEmail) throw new CommandRejectedError(403, 'forbidden', 'command belongs to another instructor');
    if (command.leaseToken !== completion.leaseToken) {
      throw new CommandRejectedError(409, 'stale_lease', 'lease token is not current for this command');
    }
    if (command.status === 'succeeded' || command.status === 'failed') return { duplicate: true, command };
    if (command.status !== 'leased') throw new CommandRejectedError(409, 'not_leased', `command is ${command.status}`);

    let patch: { status: 'succeeded' | 'pending' | 'failed'; result?: unknown; error?: string; retryInMs?: number };
    const policy = COMMAND_CONTRACTS[command.type as CommandType];
    if ('result' in completion) {
      const parsed = policy.result.safeParse(completion.result);
      if (!parsed.success) {
        const details = parsed.error.issues.map((i) => ({
          field: ['body', 'result', ...i.path.map(String)].join('.'),
          message: i.message,
        }));
        throw new CommandRejectedError(
          400,
          'invalid_result',
          `command result does not match its contract: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`,
          details,
        );
      }
      patch = { status: 'succeeded', result: parsed.data };
    } else if (completion.error.retryable && command.attempts < policy.maxAttempts) {
      patch = {
        status: 'pending',
        error: completion.error.message,
        retryInMs: backoffDelayMs(command.attempts, { baseMs: policy.retryBaseMs, maxMs: policy.retryMaxMs }),
      };
    } else {
      patch = { status: 'failed', error: completion.error.message };
    }
    // One statement: the result, the workflow's wake-up (with its NOTIFY at commit) and, for a
    // new form, the routing of its submissions, so a crash cannot leave one without the other.
    // The form is routed from this moment, not when step 3 next runs, or a learner who answers
    // at once would be turned away.
    const written = await rows<{ id: string }>(
      this.db,
      sql`with c as (
            update workspace_commands set
              status = ${patch.status},
              result = ${patch.result === undefined ? null : JSON.stringify(patch.result)}::jsonb,
              error = ${patch.error ?? null},
              completed_at = case when ${patch.status} = 'pending' then null else now() end,
              lease_token = case when ${patch.status} = 'pending' then null else lease_token end,
              lease_expires_at = case when ${patch.status} = 'pending' then null else lease_expires_at end,
              available_at = now() + ${patch.retryInMs ?? 0} * interval '1 millisecond'
            where id = ${commandId} and status = 'leased' and lease_token = ${completion.leaseToken}
            returning id, workflow_id, type, status, result
          ), ${wakeWorkflowsCte({
            from: sql`c`,
            idColumn: sql`c.workflow_id`,
            set: sql`, form_id = case when c.type = 'create_assessment_assets' and c.status = 'succeeded'
                             then coalesce(workflows.form_id, c.result->>'formId') else workflows.form_id end`,
            where: sql` and c.status <> 'pending'`,
          })}
          select c.id, (select count(*) from n) as notified from c`,
    );
    if (written.length === 0) {
      const [now] = await this.db.select().from(workspaceCommands).where(eq(workspaceCommands.id, commandId));
      if (now && now.leaseToken === completion.leaseToken && (now.status === 'succeeded' || now.status === 'failed')) {
        return { duplicate: true, command: now };
      }
      throw new CommandRejectedError(409, 'stale_lease', 'command changed concurrently');
    }
    const updated: CommandRow = { ...command, status: patch.status, result: patch.result ?? null, error: patch.error ?? null };
    return { duplicate: false, command: updated };
  }

  /**
   * Extends the lease of a command its holder is still working on (slow Workspace calls), so no
   * other execution is offered it meanwhile. One fenced UPDATE: only the current lease token of a
   * still-leased command renews; anything else is a stale lease (re-claimed, completed, withdrawn).
   */
  async renewLease(ownerEmail: string, commandId: string, leaseToken: string): Promise<{ leaseExpiresAt: Date }> {
    const [renewed] = await this.db
      .update(workspaceCommands)
      .set({ leaseExpiresAt: sql`now() + ${this.leaseMs} * interval '1 millisecond'` })
      .where(
        and(
          eq(workspaceCommands.id, commandId),
          eq(workspaceCommands.ownerEmail, ownerEmail),
          eq(workspaceCommands.status, 'leased'),
          eq(workspaceCommands.leaseToken, leaseToken),
        ),
      )
      .returning({ leaseExpiresAt: workspaceCommands.leaseExpiresAt });
    if (renewed?.leaseExpiresAt) return { leaseExpiresAt: renewed.leaseExpiresAt };
    // Not renewed: say why, as complete() does (unknown id, someone else's command, or not ours any more).
    const [command] = await this.db
      .select({ ownerEmail: workspaceCommands.ownerEmail })
      .from(workspaceCommands)
      .where(eq(workspaceCommands.id, commandId));
    if (!command) throw new CommandRejectedError(404, 'not_found', 'command not found');
    if (command.ownerEmail !== ownerEmail) throw new CommandRejectedError(403, 'forbidden', 'command belongs to another instructor');
    throw new CommandRejectedError(409, 'stale_lease', 'lease token is not current for this command');
  }

  /** Withdraws a workflow's unfinished commands (cancel / permanent failure), but never its compensation. */
  async cancelPending(workflowId: string): Promise<number> {
    const cancelled = await this.db
      .update(workspaceCommands)
      .set({ status: 'cancelled', completedAt: new Date() })
      .where(
        and(
          eq(workspaceCommands.workflowId, workflowId),
          inArray(workspaceCommands.status, ['pending', 'leased']),
          ne(workspaceCommands.type, 'trash_files'),
        ),
      )
      .returning({ id: workspaceCommands.id });
    return cancelled.length;
  }

  async backlog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const [row] = await this.db
      .select({
        pending: sql<number>`count(*)::int`,
        oldest: sql<number | null>`extract(epoch from (now() - min(${workspaceCommands.createdAt})))::float8`,
      })
      .from(workspaceCommands)
      .where(inArray(workspaceCommands.status, ['pending', 'leased']));
    return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: Number(row?.oldest ?? 0) };
  }
}
