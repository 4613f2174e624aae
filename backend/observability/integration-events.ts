import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { errorText } from './error-text';
import { startPeriodic } from '../leased-work/worker-loop';
import { log } from './logger';

/**
 * Durable counts of integration events the database does not otherwise see: circuit opens and
 * rate-limit waits, per service and hour. Counted in memory where they happen (a rate-limit storm
 * must not turn into an insert per wait) and upserted every few seconds, and once more at stop.
 * A crash loses at most one flush interval of counts; the report says "at least".
 */

export type IntegrationEventKind = 'circuit_open' | 'rate_limit_wait';

const pending = new Map<string, number>();

export function recordIntegrationEvent(service: string, kind: IntegrationEventKind, at = new Date()): void {
  const key = `${service}\u0000${kind}\u0000${hourStart(at).toISOString()}`;
  pending.set(key, (pending.get(key) ?? 0) + 1);
}

/** Writes the pending counts (added to what is stored); kept in memory if the database refuses. */
export async function flushIntegrationEvents(database: Database): Promise<void> {
  if (pending.size === 0) return;
  const batch = [...pending.entries()];
  pending.clear();
  for (const [i, [key, count]] of batch.entries()) {
    const [service, kind, bucket] = key.split('\u0000');
    try {
      await database.db.execute(sql`
        insert into integration_events (service, kind, bucket, count) values (${service}, ${kind}, ${bucket}::timestamptz, ${count})
        on conflict (service, kind, bucket) do update set count = integration_events.count + excluded.count`);
    } catch (err) {
      // This one and the rest stay pending (the ones written are not re-added).
      for (const [k, n] of batch.slice(i)) pending.set(k, (pending.get(k) ?? 0) + n);
      log().warn({ err: errorText(err) }, 'could not record integration events; will retry');
      return;
    }
  }
}

/** Flushes every `intervalMs` until the returned stop function (which flushes once more) is called. */
export function startIntegrationEventFlush(database: Database, intervalMs = 5_000): () => Promise<void> {
  const flush = () => flushIntegrationEvents(database);
  return startPeriodic({ name: 'integration-event flush', everyMs: intervalMs, run: flush, onStop: flush });
}

function hourStart(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000);
}
