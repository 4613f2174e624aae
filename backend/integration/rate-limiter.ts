import { sql } from 'drizzle-orm';
import type { Config } from '../config';
import { rows, type Database } from '../db/client';
import { rateLimits } from '../db/schema';
import { log } from '../observability/logger';
import type { ServiceName } from '../observability/metrics';
import { TransientError } from '../errors';
import { recordIntegrationEvent } from '../observability/integration-events';

/**
 * Cross-replica rate limit per outbound service: a token bucket kept in Postgres (one row per
 * service in `rate_limits`), so N replicas together never send more than `ratePerSec` requests a
 * second (plus one `burst` after a quiet period).
 *
 * Hand-written on purpose. bottleneck shares state through Redis only. rate-limiter-flexible does
 * have Postgres and Drizzle stores, but they count points per fixed window (up to twice the rate
 * across a window edge, the burst we must not send a rate-limited API) and create their own table
 * at run time, outside this project's drizzle-kit migrations. A token bucket that also tells the
 * caller how long to wait is a single statement here.
 *
 * Taking a token is ONE atomic statement: it locks the service's row, refills it by the time
 * elapsed since `refilled_at` (capped at `burst`), takes a token when one is whole, and returns
 * either "granted" or how long until the next token. A caller that must wait sleeps that long
 * (with a little jitter, so waiting replicas do not stampede) and asks again, for at most
 * `maxWaitMs`; then it gives up with a TransientError carrying `retryAfterMs`, and the durable
 * engine schedules the retry instead of holding a worker.
 */

/** TransientError reason of "no token yet": a wait, not a failure of the call (spends no attempt in fan-out). */
export const RATE_LIMIT_WAIT = 'rate_limit_wait';

export interface RateLimit {
  ratePerSec: number;
  burst: number;
}

export interface RateLimiter {
  /** Resolves when a request to `service` may go out; throws TransientError after `maxWaitMs`. */
  acquire(service: ServiceName): Promise<void>;
  /** Whether a limit is configured for this service. */
  limits(service: ServiceName): boolean;
}

export interface PostgresRateLimiterOptions {
  database: Database;
  limits: Partial<Record<ServiceName, RateLimit>>;
  /** Longest wait for a token inside one request; default 10 s. */
  maxWaitMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * `grantedAtMs`: when the bucket granted the token, in epoch ms by the database clock: the instant
 * the bucket's own arithmetic used, so a test can check grants against rate × time + burst exactly.
 */
export type TakeResult = { granted: true; grantedAtMs: number } | { granted: false; waitMs: number };

export class PostgresRateLimiter implements RateLimiter {
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Bucket rows written once per process; replicas started with new settings update them. */
  private readonly ensured = new Map<ServiceName, Promise<void>>();

  constructor(private readonly opts: PostgresRateLimiterOptions) {
    this.maxWaitMs = opts.maxWaitMs ?? 10_000;
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    for (const [service, limit] of Object.entries(opts.limits)) {
      if (!limit) continue;
      if (!(limit.ratePerSec > 0) || !(limit.burst >= 1)) {
        throw new Error(`rate limit for ${service}: ratePerSec must be > 0 and burst >= 1`);
      }
    }
  }

  limits(service: ServiceName): boolean {
    return this.opts.limits[service] !== undefined;
  }

  async acquire(service: ServiceName): Promise<void> {
    if (!this.limits(service)) return;
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      const take = await this.tryTake(service).catch((err: unknown) => {
        throw new TransientError(`${service}: rate limiter unavailable (database?)`, { reason: 'rate_limiter_unavailable', cause: err });
      });
      if (take.granted) return;
      recordIntegrationEvent(service, 'rate_limit_wait');
      const remaining = deadline - Date.now();
      if (take.waitMs > remaining) {
        log().warn({ integration: service, wait_ms: take.waitMs }, 'rate limit: no token within the wait budget; retrying later');
        throw new TransientError(`${service}: local rate limit, no token within ${this.maxWaitMs} ms`, {
          reason: RATE_LIMIT_WAIT,
          retryAfterMs: take.waitMs,
        });
      }
      // Up to +20% jitter: replicas that were refused together do not all come back together.
      await this.sleep(Math.ceil(take.waitMs * (1 + Math.random() * 0.2)));
    }
  }

  /** One attempt at taking a token (one statement). */
  async tryTake(service: ServiceName): Promise<TakeResult> {
    await this.ensureBucket(service);
    // `now` is read before the row lock is granted; a waiter therefore never counts time that
    // another replica already spent (greatest(0, ...)) and never moves refilled_at backwards.
    const [row] = await rows<{ granted: boolean; wait_ms: number | string; at_ms: number | string }>(
      this.opts.database.db,
      sql`with clock as (select clock_timestamp() as now),
          bucket as (
            select b.service,
                   least(b.burst, b.tokens + greatest(0, extract(epoch from (clock.now - b.refilled_at))) * b.rate_per_sec) as available,
                   b.rate_per_sec,
                   greatest(b.refilled_at, clock.now) as refilled_at
            from rate_limits b, clock
            where b.service = ${service}
            for update of b
          )
          update rate_limits r
          set tokens = case when bucket.available >= 1 then bucket.available - 1 else bucket.available end,
              refilled_at = bucket.refilled_at
          from bucket
          where r.service = bucket.service
          returning bucket.available >= 1 as granted,
                    case when bucket.available >= 1 then 0
                         else ceil((1 - bucket.available) / bucket.rate_per_sec * 1000) end as wait_ms,
                    extract(epoch from bucket.refilled_at) * 1000 as at_ms`,
    );
    if (!row) throw new Error(`rate limit bucket for ${service} is missing`);
    return row.granted ? { granted: true, grantedAtMs: Number(row.at_ms) } : { granted: false, waitMs: Math.max(1, Number(row.wait_ms)) };
  }

  /** Creates the bucket (full) or updates its settings; keeps the tokens already there. */
  private ensureBucket(service: ServiceName): Promise<void> {
    let ensured = this.ensured.get(service);
    if (!ensured) {
      const limit = this.opts.limits[service]!;
      ensured = this.opts.database.db
        .insert(rateLimits)
        .values({ service, ratePerSec: limit.ratePerSec, burst: limit.burst, tokens: limit.burst })
        .onConflictDoUpdate({
          target: rateLimits.service,
          set: { ratePerSec: limit.ratePerSec, burst: limit.burst, tokens: sql`least(${rateLimits.tokens}, ${limit.burst})` },
        })
        .then(() => undefined);
      // A failed write (database down) is retried by the next acquire.
      ensured.catch(() => this.ensured.delete(service));
      this.ensured.set(service, ensured);
    }
    return ensured;
  }
}

/** The limits configured by env (PRESGEN_*_RATE_PER_SEC / _BURST); a rate of 0 means no limit. */
export function outboundRateLimits(
  config: Pick<
    Config,
    'PRESGEN_CORE_RATE_PER_SEC' | 'PRESGEN_CORE_RATE_BURST' | 'PRESGEN_AVATAR_RATE_PER_SEC' | 'PRESGEN_AVATAR_RATE_BURST'
  >,
): Partial<Record<ServiceName, RateLimit>> {
  const limits: Partial<Record<ServiceName, RateLimit>> = {};
  const add = (service: ServiceName, ratePerSec: number, burst: number | undefined) => {
    if (ratePerSec > 0) limits[service] = { ratePerSec, burst: burst ?? Math.max(1, Math.ceil(ratePerSec)) };
  };
  add('presgen_core', config.PRESGEN_CORE_RATE_PER_SEC, config.PRESGEN_CORE_RATE_BURST);
  add('presgen_avatar', config.PRESGEN_AVATAR_RATE_PER_SEC, config.PRESGEN_AVATAR_RATE_BURST);
  return limits;
}
