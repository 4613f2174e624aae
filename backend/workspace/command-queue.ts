import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import { COMMAND_CONTRACTS, type CommandType, type CommandCompletion } from '../../shared/contracts/commands';
import type { StepStatus } from '../../shared/workflow-status';
import { rows, tableRows, type Database, type Executor } from '../db/client';
import { workspaceCommands } from '../db/schema';
import { WAKE_CHANNEL } from '../leased-work/wake-channel';
import { wakeWorkflowsCte } from '../db/wake-workflows';
import { claimDue, freshLeaseToken, heldBy, msFromNow, type LeasedTable } from '../leased-work/leased-table';
import { backoffDelayMs } from '../../shared/backoff';

/**
 * The queue of work for Apps Script. The backend never calls into Apps Script: steps enqueue
 * commands (idempotent on `workflowId:step:name`), the add-on claims them with a lease and posts
 * each result back; a completed command wakes its workflow.
 */

export type CommandRow = typeof workspaceCommands.$inferSelect;

/**
 * Commands as leased work: the holder is a token minted per claim and handed to the add-on, which
 * proves its lease with it on every later call.
 */
export const COMMAND_LEASES: LeasedTable<typeof workspaceCommands> = {
  name: 'workspace commands',
  table: workspaceCommands,
  holderKey: 'leaseToken',
};

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

/**
 * With a command's completion, in the same statement: wake its workflow (NOTIFY at commit) and,
 * for a new form, route the form's submissions to it. The form is routed from this moment, not
 * when step 3 next runs, or a learner who answers at once would be turned away. `c` is the
 * completed command (id, workflow_id, type, status, result).
 */
const wakeOnCompletion = wakeWorkflowsCte({
  from: sql`c`,
  idColumn: sql`c.workflow_id`,
  set: sql`, form_id = case when c.type = 'create_assessment_assets' and c.status = 'succeeded'
                   then coalesce(workflows.form_id, c.result->>'formId') else workflows.form_id end`,
  where: sql` and c.status <> 'pending'`,
});

/** Who a step's commands are offered to. */
export interface CommandOwner {
  id: string;
  ownerEmail: string;
  spreadsheetId: string | null;
}

/** A command row to insert, as the statements that insert commands read it (jsonb_to_recordset). */
export interface CommandInsert {
  id: string;
  workflow_id: string;
  owner_email: string;
  spreadsheet_id: string | null;
  step: string;
  type: CommandType;
  payload: unknown;
  key: string;
}

export const COMMAND_INSERT_RECORD = sql.raw(
  'id text, workflow_id text, owner_email text, spreadsheet_id text, step text, type text, payload jsonb, key text',
);

/** The idempotency key of a step's command: one command per workflow, step and name. */
export function commandKey(workflowId: string, step: StepStatus, name: string): string {
  return `${workflowId}:${step}:${name}`;
}

/** A step's commands as rows to insert; each payload is checked against its type's contract first. */
export function commandInserts(workflow: CommandOwner, step: StepStatus, specs: CommandSpec[]): CommandInsert[] {
  return specs.map((s) => ({
    id: randomUUID(),
    workflow_id: workflow.id,
    owner_email: workflow.ownerEmail,
    spreadsheet_id: workflow.spreadsheetId,
    step,
    type: s.type,
    payload: COMMAND_CONTRACTS[s.type].payload.parse(s.payload),
    key: commandKey(workflow.id, step, s.name),
  }));
}

function awaitedFrom(
  specs: CommandSpec[],
  keysOrInserts: string[] | CommandInsert[],
  rows: CommandRow[],
): AwaitedCommands | { state: 'missing' } {
  const keys = keysOrInserts.map((k) => (typeof k === 'string' ? k : k.key));
  const results: Record<string, unknown> = {};
  let pending = false;
  for (const [i, spec] of specs.entries()) {
    const row = rows.find((c) => c.idempotencyKey === keys[i]);
    if (!row) return { state: 'missing' };
    if (row.status === 'pending' || row.status === 'leased') pending = true;
    else if (row.status !== 'succeeded') return { state: 'failed', error: row.error ?? row.status, name: spec.name };
    else results[spec.name] = row.result;
  }
  return pending ? { state: 'pending' } : { state: 'ready', results };
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
   * Enqueues the commands a step needs (once) and reports whether all have results, in one
   * statement: insert the missing ones, NOTIFY the add-on's claimers at commit if any was new, and
   * return them all. For enqueues outside a step's park (compensation, an instructor's resume);
   * a parking step hands its commands to the park checkpoint instead (`commandInserts`).
   */
  async ensureCommands(workflow: CommandOwner, step: StepStatus, specs: CommandSpec[]): Promise<AwaitedCommands> {
    const inserts = commandInserts(workflow, step, specs);
    const existing = await tableRows(
      this.db,
      workspaceCommands,
      sql`with spec as (
            select * from jsonb_to_recordset(${JSON.stringify(inserts)}::jsonb) as s(${COMMAND_INSERT_RECORD})
          ), ins as (
            insert into workspace_commands (id, workflow_id, owner_email, spreadsheet_id, step, type, payload, idempotency_key)
            select s.id, s.workflow_id, s.owner_email, s.spreadsheet_id, s.step, s.type, s.payload, s.key from spec s
            on conflict do nothing
            returning *
          ), n as (select pg_notify(${WAKE_CHANNEL.commands}, '') from ins limit 1)
          select ins.*, (select count(*) from n) as notified from ins
          union all
          select c.*, 0 from workspace_commands c where c.idempotency_key in (select key from spec)`,
    );
    // A command inserted by a concurrent run after this statement's snapshot is in neither half:
    // it reads as pending, and its completion wakes the workflow.
    const state = awaitedFrom(specs, inserts, existing);
    return state.state === 'missing' ? { state: 'pending' } : state;
  }

  /** What a step's stored commands say, without writing: all done, still pending, failed, or some not enqueued yet. */
  async readCommands(workflow: CommandOwner, step: StepStatus, specs: CommandSpec[]): Promise<AwaitedCommands | { state: 'missing' }> {
    const keys = specs.map((s) => commandKey(workflow.id, step, s.name));
    const existing = await this.db.select().from(workspaceCommands).where(inArray(workspaceCommands.idempotencyKey, keys));
    return awaitedFrom(specs, keys, existing);
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
    return claimDue(this.db, COMMAND_LEASES, {
      due: available!,
      orderBy: [asc(workspaceCommands.createdAt)],
      max: opts.max,
      holder: freshLeaseToken,
      leaseMs: this.leaseMs,
      set: { status: 'leased', attempts: sql`${workspaceCommands.attempts} + 1` },
    });
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
    if ('result' in completion) {
      const accepted = await this.acceptResult(ownerEmail, commandId, completion);
      if (accepted) return { duplicate: false, command: accepted };
    }
    // Not accepted at once: find out why (or handle an error report) against the stored command.
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
    // One statement: the outcome and its wake-up, so a crash cannot leave one without the other.
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
          ), ${wakeOnCompletion}
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
   * The common case in one statement: a result from the lease holder. The result is checked
   * against every command type's contract first; the fenced update accepts it only when the
   * stored command's type is one whose contract it satisfies (and stores that contract's parse).
   * Null when not accepted (unknown id, other owner, stale token, wrong shape for its type,
   * already completed): the caller then reads the command to answer precisely.
   */
  private async acceptResult(
    ownerEmail: string,
    commandId: string,
    completion: Extract<CommandCompletion, { result: unknown }>,
  ): Promise<CommandRow | null> {
    const parsedByType: Record<string, unknown> = {};
    for (const [type, contract] of Object.entries(COMMAND_CONTRACTS)) {
      const parsed = contract.result.safeParse(completion.result);
      if (parsed.success) parsedByType[type] = parsed.data;
    }
    if (Object.keys(parsedByType).length === 0) return null;
    const results = JSON.stringify(parsedByType);
    const [row] = await tableRows(
      this.db,
      workspaceCommands,
      sql`with c as (
            update workspace_commands set status = 'succeeded', result = ${results}::jsonb -> type, error = null, completed_at = now()
            where id = ${commandId} and owner_email = ${ownerEmail} and status = 'leased' and lease_token = ${completion.leaseToken}
              and ${results}::jsonb -> type is not null
            returning *
          ), ${wakeOnCompletion}
          select c.*, (select count(*) from n) as notified from c`,
    );
    return row ?? null;
  }

  /**
   * Extends the lease of a command its holder is still working on (slow Workspace calls), so no
   * other execution is offered it meanwhile. One fenced UPDATE: only the current lease token of a
   * still-leased command renews; anything else is a stale lease (re-claimed, completed, withdrawn).
   */
  async renewLease(ownerEmail: string, commandId: string, leaseToken: string): Promise<{ leaseExpiresAt: Date }> {
    const [renewed] = await this.db
      .update(workspaceCommands)
      .set({ leaseExpiresAt: msFromNow(this.leaseMs) })
      .where(
        and(
          heldBy(COMMAND_LEASES, commandId, leaseToken),
          eq(workspaceCommands.ownerEmail, ownerEmail),
          eq(workspaceCommands.status, 'leased'),
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
