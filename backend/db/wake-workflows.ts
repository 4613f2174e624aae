import { sql, type SQL } from 'drizzle-orm';
import { NOT_RUNNABLE_STATUSES } from '../../shared/workflow-status';
import { WAKE_CHANNEL } from '../leased-work/wake-channel';

/**
 * The one "wake a workflow" SQL: CTEs `w` (the workflows woken: wake_seq + 1 so a park racing
 * with the event does not sleep, due now) and `n` (NOTIFY, delivered at commit so engines wake
 * exactly when the event is visible). Workflows that are not runnable (terminal, or waiting for
 * an operator: shared NOT_RUNNABLE_STATUSES) are left alone. Reference `n` in the final select
 * (`(select count(*) from n)`) so the NOTIFY is evaluated.
 */
export function wakeWorkflowsCte(opts: {
  /** A relation (earlier CTE or subquery with alias) naming the workflows to wake. */
  from: SQL;
  /** Its column holding the workflow id. */
  idColumn: SQL;
  /** Extra `column = value` assignments, each starting with a comma. */
  set?: SQL;
  /** Extra conditions, each starting with `and`. */
  where?: SQL;
}): SQL {
  return sql`w as (
      update workflows set wake_seq = wake_seq + 1, run_after = now()${opts.set ?? sql``}
      from ${opts.from}
      where workflows.id = ${opts.idColumn}${opts.where ?? sql``}
        and workflows.status not in (${notRunnableList()})
      returning workflows.id
    ), n as (select pg_notify(${WAKE_CHANNEL.workflows}, '') from w)`;
}

/** `'COMPLETED', 'FAILED', …` as SQL parameters, from shared/workflow-status. */
export function notRunnableList(): SQL {
  return sql.join(
    NOT_RUNNABLE_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  );
}
