import { sql } from 'drizzle-orm';
import type { IntegrationHealthReport } from '../../../shared/contracts/reports';
import { rows, type Executor } from '../../db/client';
import { DAILY_QUOTA_LIMITS } from '../../http/routes/workspace';
import { redactEmails } from '../../notifications/redact';

/**
 * The integration-health report of a period [from, to), computed from the database alone (step
 * runs, fan-out items, workspace commands, audit events, integration events, quota reports), so
 * it works without Prometheus. Every figure is defined in docs/observability/README.md.
 */

/** Which integration a step's attempts exercise (steps of the backend alone: `backend`). */
const STEP_SERVICE: Record<string, string> = {
  GENERATING_ASSESSMENT: 'assessment',
  CREATING_GOOGLE_RESOURCES: 'apps_script',
  WRITING_GAP_ANALYSIS: 'apps_script',
  GENERATING_TRAINING_PLAN: 'apps_script',
  GENERATING_COURSE_OUTLINES: 'apps_script',
  GENERATING_PRESENTATIONS: 'presgen_core',
  GENERATING_AVATAR_VIDEOS: 'presgen_avatar',
  FINALIZING: 'apps_script',
};

type Counts = { attempts: number; retries: number; given_up: number; errors: number; dups: number };

export async function integrationHealthReport(
  db: Executor,
  period: { from: Date; to: Date; slaSeconds: number },
): Promise<IntegrationHealthReport> {
  const from = period.from.toISOString();
  const to = period.to.toISOString();
  const services: IntegrationHealthReport['services'] = [];
  const push = (service: string, operation: string, c: Counts) => {
    const attempts = Number(c.attempts);
    const errors = Number(c.errors);
    services.push({
      service,
      operation,
      attempts,
      errors,
      errorRate: attempts > 0 ? Math.round((errors / attempts) * 10_000) / 10_000 : 0,
      retries: Number(c.retries),
      givenUp: Number(c.given_up),
      possibleDuplicates: Number(c.dups),
    });
  };

  // Step attempts that did work (a park is waiting, not an attempt).
  const steps = await rows<Counts & { step: string }>(
    db,
    sql`
    select step,
      count(*) filter (where outcome in ('succeeded', 'retrying', 'failed')) as attempts,
      count(*) filter (where outcome in ('retrying', 'failed')) as errors,
      count(*) filter (where outcome = 'retrying') as retries,
      count(*) filter (where outcome = 'failed') as given_up,
      0 as dups
    from step_runs where started_at >= ${from}::timestamptz and started_at < ${to}::timestamptz
    group by step order by step`,
  );
  for (const s of steps) push(STEP_SERVICE[s.step] ?? 'backend', `step:${s.step}`, s);

  // PresGen jobs: every attempt beyond the first went out again with the same idempotency key.
  const jobs = await rows<Counts & { service: string }>(
    db,
    sql`
    select service,
      coalesce(sum(greatest(attempt, 1)), 0) as attempts,
      coalesce(sum(greatest(attempt - 1, 0)), 0) + count(*) filter (where status = 'failed') as errors,
      coalesce(sum(greatest(attempt - 1, 0)), 0) as retries,
      count(*) filter (where status = 'failed') as given_up,
      count(*) filter (where attempt > 1) as dups
    from fanout_items where created_at >= ${from}::timestamptz and created_at < ${to}::timestamptz
    group by service order by service`,
  );
  for (const j of jobs) push(j.service, 'job', j);

  // Apps Script commands: a delivery beyond the first was re-offered (lease lapsed or retryable error).
  const commands = await rows<Counts & { type: string }>(
    db,
    sql`
    select type,
      coalesce(sum(greatest(attempts, 1)), 0) as attempts,
      coalesce(sum(greatest(attempts - 1, 0)), 0) + count(*) filter (where status = 'failed') as errors,
      coalesce(sum(greatest(attempts - 1, 0)), 0) as retries,
      count(*) filter (where status = 'failed') as given_up,
      count(*) filter (where attempts > 1) as dups
    from workspace_commands where created_at >= ${from}::timestamptz and created_at < ${to}::timestamptz
    group by type order by type`,
  );
  for (const c of commands) push('apps_script', `command:${c.type}`, c);

  const events = await rows<{ service: string; circuit_opens: number; rate_limit_waits: number }>(
    db,
    sql`
    select service,
      coalesce(sum(count) filter (where kind = 'circuit_open'), 0) as circuit_opens,
      coalesce(sum(count) filter (where kind = 'rate_limit_wait'), 0) as rate_limit_waits
    from integration_events where bucket >= ${from}::timestamptz and bucket < ${to}::timestamptz
    group by service order by service`,
  );

  // Active phase (learner submission to deliverables ready) of workflows completed in the period.
  const [sla] = await rows<{ completed: number; p50: number | null; p95: number | null; over: number }>(
    db,
    sql`
    with d as (
      select extract(epoch from completed_at - submitted_at)::float8 as s from workflows
      where status = 'COMPLETED' and submitted_at is not null
        and completed_at >= ${from}::timestamptz and completed_at < ${to}::timestamptz
    )
    select count(*) as completed,
      percentile_cont(0.5) within group (order by s) as p50,
      percentile_cont(0.95) within group (order by s) as p95,
      count(*) filter (where s > ${period.slaSeconds}) as over
    from d`,
  );

  const attention = await rows<{
    workflow_id: string;
    to_status: string;
    from_status: string | null;
    reason: string | null;
    at: Date | string;
  }>(
    db,
    sql`
    select workflow_id, to_status, from_status, coalesce(details->>'reason', details->>'error', type) as reason, at
    from audit_events
    where to_status in ('NEEDS_ATTENTION', 'FAILED') and at >= ${from}::timestamptz and at < ${to}::timestamptz
    order by at, id limit 200`,
  );

  const quota = await rows<{ service: string; day: string; peak: number }>(
    db,
    sql`
    select distinct on (u.key) u.key as service, q.day, (u.value)::bigint as peak
    from quota_reports q, jsonb_each_text(q.usage) u
    where q.day >= ${from.slice(0, 10)} and q.day < ${to.slice(0, 10)}
    order by u.key, (u.value)::bigint desc, q.day`,
  );

  return {
    from,
    to,
    generatedAt: new Date().toISOString(),
    services,
    events: events.map((e) => ({ service: e.service, circuitOpens: Number(e.circuit_opens), rateLimitWaits: Number(e.rate_limit_waits) })),
    sla: {
      completed: Number(sla?.completed ?? 0),
      p50Seconds: sla?.p50 === null || sla?.p50 === undefined ? null : round3(Number(sla.p50)),
      p95Seconds: sla?.p95 === null || sla?.p95 === undefined ? null : round3(Number(sla.p95)),
      overSla: Number(sla?.over ?? 0),
      slaSeconds: period.slaSeconds,
    },
    attention: attention.map((a) => ({
      workflowId: a.workflow_id,
      status: a.to_status,
      step: a.from_status,
      reason: redactEmails(String(a.reason ?? 'unknown')).slice(0, 300),
      at: new Date(a.at).toISOString(),
    })),
    quotaPeaks: quota.map((q) => {
      const limit = DAILY_QUOTA_LIMITS[q.service] ?? null;
      const peak = Number(q.peak);
      return { service: q.service, day: q.day, peak, limit, ratio: limit ? Math.round((peak / limit) * 10_000) / 10_000 : null };
    }),
  };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
