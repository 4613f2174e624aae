import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/client';
import { contentCache, fanoutItems } from '../db/schema';
import { contentCacheRequests, type ServiceName } from '../observability/metrics';
import type { JobClient } from './job-client';

/**
 * The content cache: a deck or narrated video costs minutes of PresGen time, so a request
 * identical to one already rendered (same service, protocol and normalised request) reuses the
 * stored result, across workflows and replicas. It wraps any job client of the port.
 *
 * One row per distinct request, in Postgres. The first submitter claims it (`rendering`, owned by
 * its fan-out item); identical requests that arrive meanwhile get a job id `cache:<key>` and poll
 * the row until the owner's render is stored (`ready`), so concurrent identical requests render
 * once. If the owner's item is gone for good (failed, cancelled) a waiter's poll answers
 * `cancelled`, the fan-out worker resubmits it and that submit takes the row over. Ready rows
 * expire after the TTL (a deck can be edited or deleted at the source; a later request renders
 * afresh).
 */

const CACHE_JOB_PREFIX = 'cache:';

export interface ContentCacheOptions {
  database: Database;
  service: ServiceName;
  /** Part of the key: the same outline rendered by another protocol is another artefact. */
  protocol: string;
  ttlMs: number;
}

type Accepted = Awaited<ReturnType<JobClient['submit']>>;
type PollStatus = Awaited<ReturnType<JobClient['pollStatus']>>;

export class CachingJobClient implements JobClient {
  constructor(
    private readonly inner: JobClient,
    private readonly opts: ContentCacheOptions,
  ) {}

  async submit(input: never, idempotencyKey: string): Promise<Accepted> {
    const key = contentKey(this.opts.service, this.opts.protocol, input);
    const decision = await claimEntry(this.opts.database.db, key, idempotencyKey, this.opts);
    contentCacheRequests.inc({ service: this.opts.service, outcome: decision });
    if (decision === 'hit') return { jobId: `${CACHE_JOB_PREFIX}${key}`, status: 'succeeded' };
    if (decision === 'shared') return { jobId: `${CACHE_JOB_PREFIX}${key}`, status: 'running' };
    const accepted = await this.inner.submit(input, idempotencyKey);
    await this.opts.database.db
      .update(contentCache)
      .set({ ownerJobId: accepted.jobId })
      .where(and(eq(contentCache.key, key), eq(contentCache.ownerKey, idempotencyKey), eq(contentCache.status, 'rendering')));
    return accepted;
  }

  async pollStatus(jobId: string): Promise<PollStatus> {
    if (jobId.startsWith(CACHE_JOB_PREFIX)) return this.pollEntry(jobId.slice(CACHE_JOB_PREFIX.length));
    const status = await this.inner.pollStatus(jobId);
    if (status.status === 'succeeded') {
      await this.opts.database.db
        .update(contentCache)
        .set({
          status: 'ready',
          result: status.result,
          readyAt: sql`now()`,
          expiresAt: sql`now() + ${this.opts.ttlMs} * interval '1 millisecond'`,
        })
        .where(and(eq(contentCache.ownerJobId, jobId), eq(contentCache.status, 'rendering')));
    }
    return status;
  }

  async cancel(jobId: string): Promise<unknown> {
    // Cancelling a waiter must not stop the render other workflows wait for.
    if (jobId.startsWith(CACHE_JOB_PREFIX)) return undefined;
    return this.inner.cancel(jobId);
  }

  private async pollEntry(key: string): Promise<PollStatus> {
    const db = this.opts.database.db;
    const [row] = await db.select().from(contentCache).where(eq(contentCache.key, key));
    if (row?.status === 'ready') return { status: 'succeeded', result: row.result };
    if (row && (await ownerAlive(db, row.ownerKey))) return { status: 'running' };
    return {
      status: 'cancelled',
      error: { code: 'cache_owner_gone', message: 'the identical render this item waited for was given up', retryable: true },
    };
  }
}

/** sha256 over service, protocol and the request with whitespace normalised and without metadata. */
export function contentKey(service: string, protocol: string, request: unknown): string {
  const { metadata: _metadata, ...content } = (request ?? {}) as Record<string, unknown>;
  return createHash('sha256').update(stableJson({ service, protocol, content })).digest('hex');
}

function stableJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.trim().replace(/\s+/g, ' '));
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

async function claimEntry(db: Executor, key: string, ownerKey: string, opts: ContentCacheOptions): Promise<'hit' | 'shared' | 'miss'> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(contentCache)
      .values({ key, service: opts.service, protocol: opts.protocol, status: 'rendering', ownerKey })
      .onConflictDoNothing()
      .returning({ key: contentCache.key });
    if (inserted.length > 0) return 'miss';
    const [row] = await tx.select().from(contentCache).where(eq(contentCache.key, key)).for('update');
    const fresh = row.status === 'ready' && row.expiresAt !== null && row.expiresAt.getTime() > Date.now();
    if (fresh) {
      await tx
        .update(contentCache)
        .set({ hits: sql`${contentCache.hits} + 1` })
        .where(eq(contentCache.key, key));
      return 'hit';
    }
    if (row.status === 'rendering' && row.ownerKey !== ownerKey && (await ownerAlive(tx, row.ownerKey))) return 'shared';
    // Missing owner, expired render, or this item's own earlier attempt: render (again).
    await tx
      .update(contentCache)
      .set({ status: 'rendering', ownerKey, ownerJobId: null, result: null, readyAt: null, expiresAt: null, createdAt: sql`now()` })
      .where(eq(contentCache.key, key));
    return 'miss';
  });
}

/** The render belongs to a fan-out item; while that item can still run, its render is coming. */
async function ownerAlive(db: Executor, ownerKey: string): Promise<boolean> {
  const [item] = await db.select({ status: fanoutItems.status }).from(fanoutItems).where(eq(fanoutItems.idempotencyKey, ownerKey));
  return item?.status === 'pending' || item?.status === 'active';
}
