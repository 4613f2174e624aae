import { z } from 'zod';

/**
 * All configuration comes from the environment, validated once at start. A bad value stops the
 * process with a message naming the variable. docs: README "Configuration".
 */

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? def : ['true', '1', 'yes'].includes(v)));
const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const optionalUrl = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url().optional());
const csv = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const ConfigSchema = z.object({
  PORT: int(8787, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  /** Unset: embedded PGlite. Set: postgres.js against this URL. */
  DATABASE_URL: optionalUrl,
  /** PGlite data folder; `memory://` keeps everything in memory (tests). */
  PGLITE_DATA_DIR: z.string().min(1).default('./.data/pglite'),
  DATABASE_POOL_SIZE: int(10, 1, 100),

  /** Google ID-token verification (Apps Script -> backend). */
  GOOGLE_JWKS_URL: z.url().default('https://www.googleapis.com/oauth2/v3/certs'),
  GOOGLE_OAUTH_AUDIENCES: csv,
  GOOGLE_ISSUERS: csv.transform((v) => (v.length ? v : ['https://accounts.google.com', 'accounts.google.com'])),
  /** Break-glass bearer token for /api/admin (audited as break-glass); operators normally sign in with an ID token. */
  ADMIN_TOKEN: z.string().min(16).optional(),
  /** Operator ID tokens (OIDC): JWKS, accepted audiences and issuers; unset/empty = the add-on's (GOOGLE_*) values. */
  OPERATOR_JWKS_URL: optionalUrl,
  OPERATOR_OIDC_AUDIENCES: csv,
  OPERATOR_OIDC_ISSUERS: csv,

  /** Unset: the built-in deterministic assessment engine. */
  ASSESSMENT_API_URL: optionalUrl,
  ASSESSMENT_API_TOKEN: z.string().optional(),
  /**
   * `project`: the contract in docs/integrations/assessment-api.md; `presgen-assess`: PresGen-Assess's
   * real question generator (POST /api/v1/ai-question-generator/generate) for step 2, the built-in
   * engine for the rest.
   */
  ASSESSMENT_API_PROTOCOL: z.enum(['project', 'presgen-assess']).default('project'),
  /** presgen-assess: certification id -> profile UUID, e.g. `aws-saa-c03=0f8e...,comptia-security-plus-sy0-701=...`. */
  ASSESSMENT_PROFILE_IDS: csv
    .pipe(z.array(z.string().regex(/^[^=]+=[0-9a-fA-F-]{36}$/, 'each entry must be <certification id>=<profile UUID>')))
    .transform((entries) => Object.fromEntries(entries.map((e) => e.split('=') as [string, string]))),
  ASSESSMENT_DIFFICULTY_LEVEL: z.string().min(1).default('intermediate'),
  /** Unset: local PresGen simulators are started in-process (said once in the log). */
  PRESGEN_CORE_URL: optionalUrl,
  PRESGEN_AVATAR_URL: optionalUrl,
  PRESGEN_API_TOKEN: z.string().optional(),
  /** Latency of the built-in simulators, in ms per job. */
  SIMULATOR_JOB_MS: int(2000, 0, 3_600_000),
  /**
   * The wire protocol of each PresGen service (docs/integrations/presgen.md). Defaults: the real
   * PresGen APIs (synchronous POST /render; the narrated slideshow of PresGen-Core's
   * /training/presentation-only, which is what PresGen-Assess itself uses); `jobs` = the
   * asynchronous job contract. The local simulators speak whatever is selected.
   */
  PRESGEN_CORE_PROTOCOL: z.enum(['presgen', 'jobs']).default('presgen'),
  PRESGEN_AVATAR_PROTOCOL: z.enum(['presgen-avatar', 'presgen-training', 'jobs']).default('presgen-training'),
  /** Timeout of one synchronous PresGen call (a deck ~4 min, a narrated video ~8 min). */
  PRESGEN_SYNC_TIMEOUT_MS: int(900_000, 100, 7_200_000),
  /** presgen-training: the voice profile (GET /training/voice-profiles) and quality_level. */
  PRESGEN_VOICE_PROFILE: z.string().min(1).default('default'),
  PRESGEN_TRAINING_QUALITY: z.enum(['fast', 'standard', 'high']).default('standard'),
  /** presgen-avatar: `quality` and `voice_config.voice_id` as PresGen-Assess sends them. */
  PRESGEN_AVATAR_QUALITY: z.string().min(1).default('fast'),
  PRESGEN_AVATAR_VOICE_ID: z.string().min(1).default('alloy'),
  /** Content cache: reuse a finished render for an identical request, across workflows and replicas. */
  CONTENT_CACHE_ENABLED: bool(true),
  CONTENT_CACHE_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 365)
    .default(168),

  WORKER_ID: z.string().min(1).optional(),
  /** How many workflows one process runs at once. */
  ENGINE_CONCURRENCY: int(32, 1, 1000),
  /**
   * Most checkpoints one statement writes (group commit of concurrent steps); 1 writes each step
   * alone (for comparison, or to rule the batching out when diagnosing).
   */
  CHECKPOINT_BATCH_MAX: int(200, 1, 1000),
  /** Lease on a claimed workflow or fan-out item; a crashed process's work is taken over after it. */
  LEASE_MS: int(15_000, 500, 600_000),
  STEP_MAX_ATTEMPTS: int(6, 1, 100),
  RETRY_BASE_MS: int(1_000, 1, 600_000),
  RETRY_MAX_MS: int(300_000, 1, 86_400_000),
  /** Global caps, enforced in Postgres so they hold across replicas. */
  PRESGEN_CORE_CONCURRENCY: int(10, 1, 1000),
  PRESGEN_AVATAR_CONCURRENCY: int(10, 1, 1000),
  PRESGEN_POLL_MS: int(5_000, 1, 600_000),
  /** A PresGen job running longer than this is cancelled and resubmitted (same idempotency key). */
  PRESGEN_JOB_TIMEOUT_MS: int(1_800_000, 100, 86_400_000),
  /** Apps Script command lease: an unacknowledged command is offered again after it. */
  COMMAND_LEASE_MS: int(120_000, 1_000, 3_600_000),
  /** How long the learner has to complete the form before the workflow EXPIRES. */
  COMPLETION_TIMEOUT_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .default(72),

  /** Reminders to the instructor, in hours after the form was sent, while the learner has not answered. */
  COMPLETION_REMINDER_HOURS: csv.pipe(z.array(z.string().transform(Number).pipe(z.number().positive()))).default([24, 48]),
  /** Active-phase SLA (submission to deliverables ready) and the share of it that counts as "at risk". */
  SLA_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(30),
  SLA_AT_RISK_RATIO: z.coerce.number().gt(0).lt(1).default(0.8),

  FEATURE_AVATAR_VIDEOS: bool(true),
  FEATURE_PUBLIC_SHARING: bool(true),

  /** Weekly integration-health report to the operators: on/off, and when (UTC weekday 0 = Sunday, hour). */
  INTEGRATION_REPORT_ENABLED: bool(true),
  INTEGRATION_REPORT_WEEKDAY: int(1, 0, 6),
  INTEGRATION_REPORT_HOUR_UTC: int(8, 0, 23),

  SMTP_URL: optionalUrl,
  SMTP_FROM: z.string().default('PresGen-Assess <no-reply@presgen.local>'),
  SLACK_WEBHOOK_URL: optionalUrl,
  /** Operators: their notifications go here, and only these verified emails may use /api/admin with an ID token. */
  OPERATOR_EMAILS: csv.transform((v) => v.map((e) => e.toLowerCase())),

  /**
   * Outbound rate limit per PresGen service, in requests per second summed over ALL replicas
   * (a token bucket in Postgres); 0 = no limit. Burst: the most requests sent at once after a
   * quiet period (default: one second's worth, at least 1).
   */
  PRESGEN_CORE_RATE_PER_SEC: z.coerce.number().min(0).max(100_000).default(0),
  PRESGEN_CORE_RATE_BURST: z.coerce.number().int().min(1).max(100_000).optional(),
  PRESGEN_AVATAR_RATE_PER_SEC: z.coerce.number().min(0).max(100_000).default(0),
  PRESGEN_AVATAR_RATE_BURST: z.coerce.number().int().min(1).max(100_000).optional(),
  /** Circuit breaker per outbound service: opens after N consecutive transient failures, tests a call after the pause. */
  OUTBOUND_BREAKER_FAILURES: int(5, 1, 1000),
  OUTBOUND_BREAKER_HALF_OPEN_MS: int(30_000, 10, 3_600_000),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
