/**
 * The integration-health report on seeded history, on both drivers: every figure checked exactly,
 * rows outside the period left out; the HTTP endpoint (validated query) and the scheduled
 * message (queued once per period through the NotificationService's outbox).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, rows, type Database } from '../../backend/db/client';
import { auditEvents, fanoutItems, quotaReports, stepRuns, workflows, workspaceCommands } from '../../backend/db/schema';
import { flushIntegrationEvents, recordIntegrationEvent } from '../../backend/observability/integration-events';
import { integrationHealthReport } from '../../backend/observability/integration-health/report';
import { lastReportPeriod, sendDueReport } from '../../backend/observability/integration-health/schedule';
import type { Runtime } from '../../backend/runtime';
import { IntegrationHealthReport } from '../../shared/contracts/reports';
import { startTestBackend, testConfig, TEST_ADMIN_TOKEN } from '../support/backend';
import { createTestDatabase, DRIVERS, type TestDatabase } from '../support/postgres';
import { teardown } from '../support/teardown';

const FROM = new Date('2026-11-16T08:00:00Z');
const TO = new Date('2026-11-23T08:00:00Z');
const IN = (day: number, hour = 10) => new Date(Date.UTC(2026, 10, day, hour));
const BEFORE = IN(10);
const AFTER = IN(25);

async function seed(database: Database): Promise<void> {
  const db = database.db;
  const wf = (id: string, status: string, submittedAt: Date | null, completedAt: Date | null) => ({
    id,
    ownerEmail: 'owner@school.example',
    ownerSub: 'sub',
    status,
    request: {},
    submittedAt,
    completedAt,
    createdAt: BEFORE,
  });
  await db.insert(workflows).values([
    wf('wf-1', 'COMPLETED', IN(17, 10), new Date(IN(17, 10).getTime() + 600_000)),
    wf('wf-2', 'COMPLETED', IN(18, 10), new Date(IN(18, 10).getTime() + 1_200_000)),
    wf('wf-3', 'COMPLETED', IN(19, 10), new Date(IN(19, 10).getTime() + 2_400_000)),
    wf('wf-late', 'COMPLETED', IN(24, 10), IN(24, 11)), // completed after the period
    wf('wf-nosubmit', 'COMPLETED', null, IN(20, 10)), // no active phase
  ]);
  const run = (step: string, outcome: string, startedAt: Date) => ({
    workflowId: 'wf-1',
    step,
    attempt: 1,
    outcome,
    workerId: 'w',
    startedAt,
    finishedAt: startedAt,
  });
  await db
    .insert(stepRuns)
    .values([
      run('GENERATING_PRESENTATIONS', 'succeeded', IN(17)),
      run('GENERATING_PRESENTATIONS', 'succeeded', IN(18)),
      run('GENERATING_PRESENTATIONS', 'retrying', IN(18)),
      run('GENERATING_PRESENTATIONS', 'failed', IN(19)),
      run('CREATING_GOOGLE_RESOURCES', 'parked', IN(17)),
      run('CREATING_GOOGLE_RESOURCES', 'succeeded', IN(17)),
      run('GENERATING_PRESENTATIONS', 'retrying', BEFORE),
    ]);
  const item = (id: string, service: string, attempt: number, status: string, createdAt: Date) => ({
    id,
    workflowId: 'wf-1',
    step: 'GENERATING_PRESENTATIONS',
    service,
    itemIndex: 0,
    status,
    idempotencyKey: id,
    input: {},
    attempt,
    createdAt,
  });
  await db
    .insert(fanoutItems)
    .values([
      item('core-1', 'presgen_core', 1, 'succeeded', IN(17)),
      item('core-2', 'presgen_core', 3, 'succeeded', IN(18)),
      item('core-3', 'presgen_core', 2, 'failed', IN(19)),
      item('avatar-1', 'presgen_avatar', 1, 'succeeded', IN(18)),
      item('avatar-old', 'presgen_avatar', 5, 'failed', AFTER),
    ]);
  const command = (id: string, type: string, attempts: number, status: string, createdAt: Date) => ({
    id,
    workflowId: 'wf-1',
    ownerEmail: 'owner@school.example',
    step: 'WRITING_GAP_ANALYSIS',
    type,
    payload: {},
    status,
    idempotencyKey: id,
    attempts,
    createdAt,
  });
  await db
    .insert(workspaceCommands)
    .values([
      command('c-1', 'write_tab', 1, 'succeeded', IN(17)),
      command('c-2', 'write_tab', 2, 'succeeded', IN(18)),
      command('c-3', 'create_assessment_assets', 1, 'failed', IN(19)),
      command('c-old', 'write_tab', 4, 'failed', BEFORE),
    ]);
  await db.insert(auditEvents).values([
    {
      workflowId: 'wf-b',
      type: 'transition',
      fromStatus: 'GENERATING_AVATAR_VIDEOS',
      toStatus: 'NEEDS_ATTENTION',
      actor: 'w',
      details: { reason: 'http_5xx' },
      at: IN(18),
    },
    {
      workflowId: 'wf-c',
      type: 'transition',
      fromStatus: 'GENERATING_ASSESSMENT',
      toStatus: 'FAILED',
      actor: 'w',
      details: { error: 'refused for learner@example.com' },
      at: IN(19),
    },
    {
      workflowId: 'wf-d',
      type: 'transition',
      fromStatus: 'FINALIZING',
      toStatus: 'NEEDS_ATTENTION',
      actor: 'w',
      details: { reason: 'old' },
      at: BEFORE,
    },
    {
      workflowId: 'wf-e',
      type: 'transition',
      fromStatus: 'ANALYZING_RESULTS',
      toStatus: 'WRITING_GAP_ANALYSIS',
      actor: 'w',
      details: null,
      at: IN(18),
    },
  ]);
  await db.insert(quotaReports).values([
    { ownerEmail: 'a@school.example', day: '2026-11-17', usage: { UrlFetchApp: 1200, FormApp: 20 } },
    { ownerEmail: 'b@school.example', day: '2026-11-18', usage: { UrlFetchApp: 5000, FormApp: 10 } },
    { ownerEmail: 'c@school.example', day: '2026-11-24', usage: { UrlFetchApp: 19000 } },
  ]);
  // Circuit opens and rate-limit waits go through the recorder and its flush, as in production.
  for (let i = 0; i < 2; i++) recordIntegrationEvent('presgen_core', 'circuit_open', IN(18));
  for (let i = 0; i < 5; i++) recordIntegrationEvent('presgen_core', 'rate_limit_wait', IN(18));
  await flushIntegrationEvents(database);
  for (let i = 0; i < 3; i++) recordIntegrationEvent('presgen_core', 'rate_limit_wait', IN(18)); // same hour: added
  recordIntegrationEvent('presgen_avatar', 'rate_limit_wait', AFTER);
  await flushIntegrationEvents(database);
}

const EXPECTED_SERVICES = [
  {
    service: 'apps_script',
    operation: 'step:CREATING_GOOGLE_RESOURCES',
    attempts: 1,
    errors: 0,
    errorRate: 0,
    retries: 0,
    givenUp: 0,
    possibleDuplicates: 0,
  },
  {
    service: 'presgen_core',
    operation: 'step:GENERATING_PRESENTATIONS',
    attempts: 4,
    errors: 2,
    errorRate: 0.5,
    retries: 1,
    givenUp: 1,
    possibleDuplicates: 0,
  },
  { service: 'presgen_avatar', operation: 'job', attempts: 1, errors: 0, errorRate: 0, retries: 0, givenUp: 0, possibleDuplicates: 0 },
  { service: 'presgen_core', operation: 'job', attempts: 6, errors: 4, errorRate: 0.6667, retries: 3, givenUp: 1, possibleDuplicates: 2 },
  {
    service: 'apps_script',
    operation: 'command:create_assessment_assets',
    attempts: 1,
    errors: 1,
    errorRate: 1,
    retries: 0,
    givenUp: 1,
    possibleDuplicates: 0,
  },
  {
    service: 'apps_script',
    operation: 'command:write_tab',
    attempts: 3,
    errors: 1,
    errorRate: 0.3333,
    retries: 1,
    givenUp: 0,
    possibleDuplicates: 1,
  },
];

describe.each(DRIVERS)('integration-health report (%s)', (driver) => {
  let database: Database;
  let pg: TestDatabase | undefined;

  beforeAll(async () => {
    if (driver === 'postgres') pg = await createTestDatabase();
    database = await openDatabase({ databaseUrl: pg?.url });
    await seed(database);
  }, 180_000);
  afterAll(async () => {
    await teardown(
      () => database?.close(),
      () => pg?.drop(),
    );
  });

  it('computes every figure of the period from the database', async () => {
    const report = IntegrationHealthReport.parse(await integrationHealthReport(database.db, { from: FROM, to: TO, slaSeconds: 1800 }));
    expect(report.from).toBe(FROM.toISOString());
    expect(report.services).toEqual(EXPECTED_SERVICES);
    expect(report.events).toEqual([{ service: 'presgen_core', circuitOpens: 2, rateLimitWaits: 8 }]);
    // 600, 1200, 2400 s: P50 1200; P95 interpolated 1200 + 0.9 × 1200 = 2280; one over 1800 s.
    expect(report.sla).toEqual({ completed: 3, p50Seconds: 1200, p95Seconds: 2280, overSla: 1, slaSeconds: 1800 });
    expect(report.attention).toEqual([
      { workflowId: 'wf-b', status: 'NEEDS_ATTENTION', step: 'GENERATING_AVATAR_VIDEOS', reason: 'http_5xx', at: IN(18).toISOString() },
      { workflowId: 'wf-c', status: 'FAILED', step: 'GENERATING_ASSESSMENT', reason: 'refused for [email]', at: IN(19).toISOString() },
    ]);
    expect(report.quotaPeaks).toEqual([
      { service: 'FormApp', day: '2026-11-17', peak: 20, limit: 250, ratio: 0.08 },
      { service: 'UrlFetchApp', day: '2026-11-18', peak: 5000, limit: 20000, ratio: 0.25 },
    ]);
  });

  it('is empty for a quiet period', async () => {
    const report = await integrationHealthReport(database.db, {
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-01-08T00:00:00Z'),
      slaSeconds: 1800,
    });
    expect(report).toMatchObject({
      services: [],
      events: [],
      attention: [],
      quotaPeaks: [],
      sla: { completed: 0, p50Seconds: null, p95Seconds: null, overSla: 0 },
    });
  });
});

describe('the report over HTTP and on schedule (PGlite)', () => {
  let runtime: Runtime & { url: string };
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

  beforeAll(async () => {
    // Workers off: the test drives the schedule itself with a chosen "now".
    runtime = await startTestBackend(testConfig(undefined, { OPERATOR_EMAILS: 'ops@school.example', SMTP_URL: 'smtp://127.0.0.1:9' }), {
      runWorkers: false,
    });
    await seed(runtime.database);
  }, 180_000);
  afterAll(async () => {
    await runtime?.stop();
  });

  it('GET /api/admin/reports/integration-health returns the figures; a bad query is refused naming the field', async () => {
    const url = `${runtime.url}/api/admin/reports/integration-health?from=${FROM.toISOString()}&to=${TO.toISOString()}`;
    const res = await fetch(url, { headers: admin });
    expect(res.status).toBe(200);
    const report = IntegrationHealthReport.parse(await res.json());
    expect(report.services).toEqual(EXPECTED_SERVICES);
    expect(report.sla.p95Seconds).toBe(2280);

    const bad = await fetch(`${runtime.url}/api/admin/reports/integration-health?from=${TO.toISOString()}&to=${FROM.toISOString()}`, {
      headers: admin,
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('to');
    expect((await fetch(url)).status).toBe(401);
    const spec = (await (await fetch(`${runtime.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(spec.paths['/api/admin/reports/integration-health']).toBeDefined();
  });

  it('queues the last week once per period (a second replica or a restart queues nothing), with the figures in the message', async () => {
    const schedule = { weekday: 1, hourUtc: 8, slaSeconds: 1800 };
    const now = new Date('2026-11-25T12:00:00Z'); // Wednesday: the last period ended Monday 23 Nov 08:00
    expect(lastReportPeriod(now, schedule)).toEqual({ from: FROM, to: TO });
    expect(lastReportPeriod(TO, schedule)).toEqual({ from: FROM, to: TO }); // the boundary itself belongs to the period it ends
    const notify = runtime.notifications.notify;
    expect(await sendDueReport(runtime.database, notify, schedule, now)).toBe(true);
    expect(await sendDueReport(runtime.database, notify, schedule, new Date('2026-11-29T23:00:00Z'))).toBe(false);
    const outbox = await rows<{ dedupe_key: string; kind: string; channel: string; subject: string; body: string }>(
      runtime.database.db,
      sql`select dedupe_key, kind, channel, subject, body from notification_outbox where kind = 'integration_health_report'`,
    );
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ dedupe_key: `integration_health_report:integration-health:${TO.toISOString()}`, channel: 'email' });
    expect(outbox[0].subject).toContain('2 needed attention');
    expect(outbox[0].body).toContain('presgen_core job: 6 attempts, 4 errors (66.7%), 3 retries, 1 given up, 2 possible duplicates');
    expect(outbox[0].body).toContain('presgen_core: 2 circuit opens, 8 rate-limit waits');
    expect(outbox[0].body).toContain('3 completed, P50 1200 s, P95 2280 s, 1 over the SLA');
    expect(outbox[0].body).toContain('UrlFetchApp: 5000 of 20000 (25%) on 2026-11-18');
    expect(outbox[0].body).not.toMatch(/@/);
    // The next week is a new period: queued again.
    expect(await sendDueReport(runtime.database, notify, schedule, new Date('2026-11-30T08:00:00Z'))).toBe(true);
  });
});
