import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createAssessmentEngine } from './assessment';
import type { Config } from './config';
import { openDatabase, type Database } from './db/client';
import { countWorkflowsByStatus } from './db/repositories/workflow-repository';
import { createApp } from './http/app';
import { GoogleIdTokenVerifier } from './http/auth/google-id-token';
import { OutboundHttpClient } from './integration/http-client';
import { createPresgenClients } from './integration/presgen-clients';
import { outboundRateLimits, PostgresRateLimiter } from './integration/rate-limiter';
import { log, rootLogger } from './observability/logger';
import { commandsPending, oldestCommandAge, workflowsByStatus, type ServiceName } from './observability/metrics';
import { startLocalPresgenServices, type LocalPresgen, type LocalPresgenServices } from './simulators/start-simulators';
import { WorkflowEngine } from './workflow/engine';
import type { EngineDeps, WorkflowNotification } from './workflow/engine-deps';
import { FanoutWorker } from './workflow/fanout/fanout-worker';
import type { JobClient } from './integration/job-client';
import { STEP_HANDLERS } from './workflow/steps';
import { startSlaWatch } from './workflow/sla-watch';
import { WorkflowService } from './workflow/workflow-service';
import { parkAfterUnhandledError } from './workflow/unhandled-error';
import { createNotificationService, type NotificationService } from './workflow/notifications';
import { WorkspaceCommandQueue } from './workspace/command-queue';
import { startIntegrationEventFlush } from './observability/integration-events';
import { startReportSchedule } from './observability/integration-health/schedule';

/**
 * Wires one backend process from its configuration: database, integrations (or the local
 * simulators), the engine and fan-out loops, and the HTTP server. Tests, the demo, the
 * benchmark and `npm start` all build the process this way.
 */

export interface RuntimeOptions {
  /** Run the engine and fan-out loops in this process (default true). */
  runWorkers?: boolean;
  /** Serve HTTP (default true). */
  listen?: boolean;
  /** An already open database to use instead of opening one from config. */
  database?: Database;
  /** Where notifications go (the durable outbox); optional. */
  notify?: (n: WorkflowNotification) => Promise<void>;
}

export interface Runtime {
  config: Config;
  database: Database;
  deps: EngineDeps;
  service: WorkflowService;
  engine: WorkflowEngine;
  fanout: FanoutWorker;
  notifications: NotificationService;
  app: ReturnType<typeof createApp>;
  http: OutboundHttpClient;
  /** The local PresGen simulators, when started (no PresGen URL configured), on the configured protocols. */
  localPresgen?: LocalPresgenServices;
  /** The same, when both speak the jobs contract. */
  simulators?: LocalPresgen;
  url?: string;
  stop(): Promise<void>;
}

export async function startRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  rootLogger().level = config.LOG_LEVEL;
  const database =
    opts.database ??
    (await openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDataDir: config.PGLITE_DATA_DIR, poolSize: config.DATABASE_POOL_SIZE }));
  log().info(
    { driver: database.driver },
    database.driver === 'pglite' ? `database: embedded PGlite at ${config.PGLITE_DATA_DIR}` : 'database: PostgreSQL (DATABASE_URL)',
  );

  // Outbound client: breaker settings and the cross-replica rate limits (a token bucket per service in Postgres).
  const rateLimits = outboundRateLimits(config);
  const http = new OutboundHttpClient({
    breaker: { consecutiveFailures: config.OUTBOUND_BREAKER_FAILURES, halfOpenAfterMs: config.OUTBOUND_BREAKER_HALF_OPEN_MS },
    rateLimiter: Object.keys(rateLimits).length > 0 ? new PostgresRateLimiter({ database, limits: rateLimits }) : undefined,
  });
  log().info(
    { rate_limits: rateLimits },
    Object.keys(rateLimits).length > 0 ? 'outbound rate limits (shared by all replicas)' : 'no outbound rate limit configured',
  );
  let localPresgen: LocalPresgenServices | undefined;
  let coreUrl = config.PRESGEN_CORE_URL;
  let avatarUrl = config.PRESGEN_AVATAR_URL;
  if (!coreUrl || !avatarUrl) {
    localPresgen = await startLocalPresgenServices({
      jobMs: config.SIMULATOR_JOB_MS,
      jitter: 0.2,
      coreProtocol: config.PRESGEN_CORE_PROTOCOL,
      avatarProtocol: config.PRESGEN_AVATAR_PROTOCOL,
    });
    coreUrl ??= localPresgen.core.url;
    avatarUrl ??= localPresgen.avatar.url;
    log().warn(
      {
        core: coreUrl,
        avatar: avatarUrl,
        jobMs: config.SIMULATOR_JOB_MS,
        coreProtocol: config.PRESGEN_CORE_PROTOCOL,
        avatarProtocol: config.PRESGEN_AVATAR_PROTOCOL,
      },
      'PRESGEN_CORE_URL/PRESGEN_AVATAR_URL not set: using the local PresGen simulators',
    );
  }
  // Every outbound service this process is configured to call, so /readyz lists each breaker from the start.
  const configuredServices: ServiceName[] = ['presgen_core', 'presgen_avatar'];
  if (config.ASSESSMENT_API_URL) configuredServices.push('assessment_api');
  if (config.SLACK_WEBHOOK_URL) configuredServices.push('slack');
  const workerId = config.WORKER_ID ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  const presgen: { core: JobClient; avatar: JobClient } = createPresgenClients({ config, http, database, workerId, coreUrl, avatarUrl });
  log().info(
    { core: config.PRESGEN_CORE_PROTOCOL, avatar: config.PRESGEN_AVATAR_PROTOCOL, contentCache: config.CONTENT_CACHE_ENABLED },
    'PresGen protocols',
  );
  const assessment = createAssessmentEngine({
    apiUrl: config.ASSESSMENT_API_URL,
    token: config.ASSESSMENT_API_TOKEN,
    http,
    protocol: config.ASSESSMENT_API_PROTOCOL,
    profileIds: config.ASSESSMENT_PROFILE_IDS,
    difficultyLevel: config.ASSESSMENT_DIFFICULTY_LEVEL,
  });
  const commands = new WorkspaceCommandQueue(database, config.COMMAND_LEASE_MS);
  const notifications = createNotificationService(config, { database, http, workerId });
  const notify = opts.notify ?? notifications.notify;

  const deps: EngineDeps = {
    database,
    assessment,
    commands,
    presgen,
    settings: {
      completionTimeoutMs: config.COMPLETION_TIMEOUT_HOURS * 3_600_000,
      completionRemindersMs: config.COMPLETION_REMINDER_HOURS.map((h) => h * 3_600_000),
      featureAvatarVideos: config.FEATURE_AVATAR_VIDEOS,
      featurePublicSharing: config.FEATURE_PUBLIC_SHARING,
    },
    notify,
    outboxRows: notifications.rowsFor,
    now: () => new Date(),
  };
  const service = new WorkflowService(deps, STEP_HANDLERS);
  const engine = new WorkflowEngine({
    deps,
    steps: STEP_HANDLERS,
    workerId,
    concurrency: config.ENGINE_CONCURRENCY,
    checkpointBatchMax: config.CHECKPOINT_BATCH_MAX,
    leaseMs: config.LEASE_MS,
    maxAttempts: config.STEP_MAX_ATTEMPTS,
    retryBaseMs: config.RETRY_BASE_MS,
    retryMaxMs: config.RETRY_MAX_MS,
  });
  const fanout = new FanoutWorker({
    database,
    workerId,
    clients: { presgen_core: presgen.core, presgen_avatar: presgen.avatar },
    caps: { presgen_core: config.PRESGEN_CORE_CONCURRENCY, presgen_avatar: config.PRESGEN_AVATAR_CONCURRENCY },
    leaseMs: config.LEASE_MS,
    pollMs: config.PRESGEN_POLL_MS,
    jobTimeoutMs: config.PRESGEN_JOB_TIMEOUT_MS,
    maxAttempts: config.STEP_MAX_ATTEMPTS,
    retryBaseMs: config.RETRY_BASE_MS,
    retryMaxMs: config.RETRY_MAX_MS,
    // A synchronous PresGen call occupies an in-flight slot for the whole render: leave room for
    // both caps, or this process would hold fewer calls than the global caps allow.
    maxInFlight: Math.max(64, config.PRESGEN_CORE_CONCURRENCY + config.PRESGEN_AVATAR_CONCURRENCY + 16),
  });

  const verifier = new GoogleIdTokenVerifier({
    jwksUrl: config.GOOGLE_JWKS_URL,
    audiences: config.GOOGLE_OAUTH_AUDIENCES,
    issuers: config.GOOGLE_ISSUERS,
  });
  const operatorOidc = {
    jwksUrl: config.OPERATOR_JWKS_URL ?? config.GOOGLE_JWKS_URL,
    audiences: config.OPERATOR_OIDC_AUDIENCES.length ? config.OPERATOR_OIDC_AUDIENCES : config.GOOGLE_OAUTH_AUDIENCES,
    issuers: config.OPERATOR_OIDC_ISSUERS.length ? config.OPERATOR_OIDC_ISSUERS : config.GOOGLE_ISSUERS,
  };
  const sameOidc =
    operatorOidc.jwksUrl === config.GOOGLE_JWKS_URL &&
    operatorOidc.audiences === config.GOOGLE_OAUTH_AUDIENCES &&
    operatorOidc.issuers === config.GOOGLE_ISSUERS;
  const operatorVerifier = sameOidc ? verifier : new GoogleIdTokenVerifier(operatorOidc);
  if (config.GOOGLE_OAUTH_AUDIENCES.length === 0) {
    log().warn('GOOGLE_OAUTH_AUDIENCES is not set: every add-on call will be refused with 401 until it is');
  }
  if (!config.ADMIN_TOKEN && config.OPERATOR_EMAILS.length === 0) {
    log().warn('neither OPERATOR_EMAILS nor the break-glass ADMIN_TOKEN is set: the operator API (/api/admin) is disabled');
  }

  const app = createApp({
    database,
    service,
    commands,
    assessment,
    verifier,
    operatorVerifier,
    operatorEmails: config.OPERATOR_EMAILS,
    adminToken: config.ADMIN_TOKEN,
    breakerStates: () => http.breakerStates(configuredServices),
    slaSeconds: config.SLA_MINUTES * 60,
    refreshGauges: async () => {
      const counts = await countWorkflowsByStatus(database.db);
      workflowsByStatus.reset();
      for (const [status, n] of Object.entries(counts)) workflowsByStatus.set({ status }, n);
      const backlog = await commands.backlog();
      commandsPending.set(backlog.pending);
      oldestCommandAge.set(backlog.oldestAgeSeconds);
      await notifications.dispatcher.refreshBacklog();
    },
    onUnhandledWorkflowError: async (workflowId, error, correlationId) => {
      await parkAfterUnhandledError(deps, workflowId, error, correlationId);
    },
  });

  let stopSlaWatch = async () => {};
  let stopReports = async () => {};
  let stopEventFlush = async () => {};
  if (opts.runWorkers !== false) {
    await engine.start();
    await fanout.start();
    await notifications.start();
    stopSlaWatch = startSlaWatch({ database, notify, slaMs: config.SLA_MINUTES * 60_000, atRiskRatio: config.SLA_AT_RISK_RATIO });
    stopEventFlush = startIntegrationEventFlush(database);
    // Only when an operator channel exists: without one the report would only be recorded as skipped.
    const operatorChannel = Boolean(config.SLACK_WEBHOOK_URL) || (Boolean(config.SMTP_URL) && config.OPERATOR_EMAILS.length > 0);
    if (config.INTEGRATION_REPORT_ENABLED && operatorChannel) {
      stopReports = startReportSchedule(database, notify, {
        weekday: config.INTEGRATION_REPORT_WEEKDAY,
        hourUtc: config.INTEGRATION_REPORT_HOUR_UTC,
        slaSeconds: config.SLA_MINUTES * 60,
      });
    }
  }

  let server: ServerType | undefined;
  let url: string | undefined;
  if (opts.listen !== false) {
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve(s));
    });
    const address = server.address() as AddressInfo;
    url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    log().info({ url }, 'backend listening');
  }

  return {
    config,
    database,
    deps,
    service,
    engine,
    fanout,
    notifications,
    app,
    http,
    localPresgen,
    simulators: localPresgen?.jobs,
    url,
    async stop() {
      await stopSlaWatch();
      await stopReports();
      await stopEventFlush();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      await engine.stop();
      await fanout.stop();
      await notifications.stop();
      await localPresgen?.close();
      if (!opts.database) await database.close();
    },
  };
}
