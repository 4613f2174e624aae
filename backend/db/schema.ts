import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * The whole persistent state. Postgres is the coordination engine: leases, fencing versions,
 * wake-ups and global concurrency caps all live here, so any number of replicas can share it.
 * Migrations are generated from this file by drizzle-kit (`npm run db:generate`).
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const workflows = pgTable(
  'workflows',
  {
    id: text('id').primaryKey(),
    ownerEmail: text('owner_email').notNull(),
    ownerSub: text('owner_sub').notNull(),
    /** Client-chosen create key, unique per owner: a repeated create returns the first workflow. */
    requestId: text('request_id'),
    status: text('status').notNull(),
    /** Fencing token: every state change is a compare-and-set on it. */
    version: integer('version').notNull().default(0),
    request: jsonb('request').notNull(),
    /** Checkpointed step outputs, by step status; written in the same statement as the transition. */
    outputs: jsonb('outputs')
      .notNull()
      .default(sql`'{}'::jsonb`),
    /** Attempt number of the current step (1-based once it has run). */
    attempt: integer('attempt').notNull().default(0),
    /** Due time. NULL = parked until an event wakes it (command result, submission, fan-out done). */
    runAfter: ts('run_after'),
    /** Bumped by every wake-up event; a park that raced with a wake-up does not sleep. */
    wakeSeq: bigint('wake_seq', { mode: 'number' }).notNull().default(0),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: ts('lease_expires_at'),
    formId: text('form_id'),
    failedStep: text('failed_step'),
    lastError: text('last_error'),
    /** When the learner's submission arrived: start of the SLA-counted active phase. */
    submittedAt: ts('submitted_at'),
    completedAt: ts('completed_at'),
    /**
     * Set when a permanent failure or a cancel still has to undo external effects (cancel PresGen
     * jobs, trash Drive files). The fenced FAILED/CANCELLED write sets it; the engine claims such a
     * workflow like due work, compensates under the lease and clears it. The value keys the run's
     * audit events, so a compensation resumed after a crash does not repeat finished steps.
     */
    compensationKey: text('compensation_key'),
    /** The step-list definition the workflow started on (see backend/workflow/definition.ts). */
    definitionVersion: integer('definition_version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('workflows_due_idx')
      .on(t.runAfter)
      .where(sql`${t.runAfter} IS NOT NULL`),
    index('workflows_owner_idx').on(t.ownerEmail, t.createdAt),
    index('workflows_status_idx').on(t.status),
    uniqueIndex('workflows_form_idx').on(t.formId),
    uniqueIndex('workflows_request_idx').on(t.ownerEmail, t.requestId),
  ],
);

/** One row per step attempt: the timeline, with input, output, error category and timings. */
export const stepRuns = pgTable(
  'step_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workflowId: text('workflow_id').notNull(),
    step: text('step').notNull(),
    attempt: integer('attempt').notNull(),
    outcome: text('outcome').notNull(),
    input: jsonb('input'),
    output: jsonb('output'),
    errorCategory: text('error_category'),
    error: text('error'),
    workerId: text('worker_id').notNull(),
    startedAt: ts('started_at').notNull(),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('step_runs_workflow_idx').on(t.workflowId, t.id)],
);

/** Append-only audit trail: every state change, rejected transition, override and compensation. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workflowId: text('workflow_id').notNull(),
    type: text('type').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    actor: text('actor').notNull(),
    details: jsonb('details'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('audit_events_workflow_idx').on(t.workflowId, t.id)],
);

/** Work for Apps Script. Claimed with a lease; completed only with the current lease token. */
export const workspaceCommands = pgTable(
  'workspace_commands',
  {
    id: text('id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    ownerEmail: text('owner_email').notNull(),
    spreadsheetId: text('spreadsheet_id'),
    step: text('step').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    /** pending | leased | succeeded | failed | cancelled */
    status: text('status').notNull().default('pending'),
    idempotencyKey: text('idempotency_key').notNull(),
    leaseToken: text('lease_token'),
    leaseExpiresAt: ts('lease_expires_at'),
    availableAt: ts('available_at').notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    result: jsonb('result'),
    error: text('error'),
    createdAt: ts('created_at').notNull().defaultNow(),
    completedAt: ts('completed_at'),
  },
  (t) => [
    uniqueIndex('workspace_commands_idem_idx').on(t.idempotencyKey),
    index('workspace_commands_owner_idx').on(t.ownerEmail, t.status, t.createdAt),
    index('workspace_commands_workflow_idx').on(t.workflowId),
  ],
);

/** Per-course child jobs of steps 9 and 10 (PresGen Core decks, PresGen Avatar videos). */
export const fanoutItems = pgTable(
  'fanout_items',
  {
    id: text('id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    step: text('step').notNull(),
    /** presgen_core | presgen_avatar: the global concurrency cap is per service. */
    service: text('service').notNull(),
    itemIndex: integer('item_index').notNull(),
    /** pending | active | succeeded | failed | cancelled */
    status: text('status').notNull().default('pending'),
    idempotencyKey: text('idempotency_key').notNull(),
    input: jsonb('input').notNull(),
    externalJobId: text('external_job_id'),
    result: jsonb('result'),
    attempt: integer('attempt').notNull().default(0),
    runAfter: ts('run_after').notNull().defaultNow(),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: ts('lease_expires_at'),
    lastError: text('last_error'),
    submittedAt: ts('submitted_at'),
    finishedAt: ts('finished_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('fanout_items_idem_idx').on(t.idempotencyKey),
    index('fanout_items_due_idx').on(t.service, t.status, t.runAfter),
    index('fanout_items_workflow_idx').on(t.workflowId, t.step),
  ],
);

/** Learner submissions, deduplicated by the Form response id. Answers never leave this table in logs. */
export const formSubmissions = pgTable(
  'form_submissions',
  {
    responseId: text('response_id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    formId: text('form_id').notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
  },
  (t) => [index('form_submissions_workflow_idx').on(t.workflowId)],
);

/** Latest daily Workspace quota usage reported by each instructor's add-on. */
export const quotaReports = pgTable(
  'quota_reports',
  {
    ownerEmail: text('owner_email').notNull(),
    day: text('day').notNull(),
    usage: jsonb('usage').notNull(),
    reportedAt: ts('reported_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('quota_reports_owner_day_idx').on(t.ownerEmail, t.day)],
);

/** Durable outbox for notifications (email, Slack): no alert lost on a crash, none sent twice. */
export const notificationOutbox = pgTable(
  'notification_outbox',
  {
    id: text('id').primaryKey(),
    /** Dedupe key, e.g. `wf:123:needs_attention:GENERATING_PRESENTATIONS:3`. */
    dedupeKey: text('dedupe_key').notNull(),
    workflowId: text('workflow_id'),
    channel: text('channel').notNull(),
    kind: text('kind').notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    /** pending | sending | sent | failed */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    runAfter: ts('run_after').notNull().defaultNow(),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: ts('lease_expires_at'),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull().defaultNow(),
    sentAt: ts('sent_at'),
    delivered: boolean('delivered').notNull().default(false),
  },
  (t) => [
    uniqueIndex('notification_outbox_dedupe_idx').on(t.dedupeKey, t.channel),
    index('notification_outbox_due_idx').on(t.status, t.runAfter),
  ],
);

/**
 * Cross-replica rate limit: one token bucket per outbound service. A token is taken by one atomic
 * UPDATE that first refills the bucket by the time elapsed since `refilled_at` (see
 * backend/integration/rate-limiter.ts), so every replica draws from the same bucket.
 */
export const rateLimits = pgTable('rate_limits', {
  service: text('service').primaryKey(),
  /** Tokens added per second. */
  ratePerSec: doublePrecision('rate_per_sec').notNull(),
  /** Bucket size: the largest burst allowed after a quiet period. */
  burst: doublePrecision('burst').notNull(),
  tokens: doublePrecision('tokens').notNull(),
  refilledAt: ts('refilled_at').notNull().defaultNow(),
});

/**
 * Every submission attempt to a PresGen API that has no idempotency key (the real PresGen-Core and
 * PresGen-Avatar): who sent it, when, how it ended. An attempt whose outcome is unknown (the
 * replica died mid-call, or the call timed out / lost its connection) may have rendered; when the
 * same item is submitted again, the new attempt is marked a possible duplicate of it.
 */
export const presgenSubmissions = pgTable(
  'presgen_submissions',
  {
    id: text('id').primaryKey(),
    /** The fan-out item's key `workflowId:step:course`. */
    idempotencyKey: text('idempotency_key').notNull(),
    workflowId: text('workflow_id').notNull(),
    service: text('service').notNull(),
    protocol: text('protocol').notNull(),
    workerId: text('worker_id').notNull(),
    /** in_flight | succeeded | failed | unknown | superseded */
    outcome: text('outcome').notNull().default('in_flight'),
    /** Id of an earlier attempt of the same item whose outcome was unknown. */
    possibleDuplicateOf: text('possible_duplicate_of'),
    /** PresGen's own id (presentation_id, training job_id, avatar job_id). */
    externalId: text('external_id'),
    result: jsonb('result'),
    error: text('error'),
    startedAt: ts('started_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('presgen_submissions_key_idx').on(t.idempotencyKey, t.startedAt)],
);

/**
 * Finished renders reused for identical requests (same service, protocol and normalised request),
 * across workflows and replicas. A `rendering` row belongs to the fan-out item rendering it
 * (`ownerKey`); identical requests wait for it instead of rendering again.
 */
export const contentCache = pgTable(
  'content_cache',
  {
    key: text('key').primaryKey(),
    service: text('service').notNull(),
    protocol: text('protocol').notNull(),
    /** rendering | ready */
    status: text('status').notNull(),
    ownerKey: text('owner_key').notNull(),
    /** The job id the owner's render runs under (to store its result when it succeeds). */
    ownerJobId: text('owner_job_id'),
    result: jsonb('result'),
    hits: integer('hits').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    readyAt: ts('ready_at'),
    expiresAt: ts('expires_at'),
  },
  (t) => [index('content_cache_owner_job_idx').on(t.ownerJobId)],
);

/**
 * Integration events that are not step runs: circuit opens and rate-limit waits, counted per
 * service and hour (upserted by backend/observability/integration-events.ts), so the weekly
 * integration-health report can show them without Prometheus.
 */
export const integrationEvents = pgTable(
  'integration_events',
  {
    service: text('service').notNull(),
    /** circuit_open | rate_limit_wait */
    kind: text('kind').notNull(),
    /** Start of the hour the events happened in. */
    bucket: ts('bucket').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.service, t.kind, t.bucket] })],
);
