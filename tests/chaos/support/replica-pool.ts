import { sql } from 'drizzle-orm';
import { rows, type Database } from '../../../backend/db/client';
import { startBackendProcess, type BackendProcess } from '../../support/backend-process';

/**
 * N backend replicas (child processes) on one Postgres, like N pods behind a load balancer.
 * `killOne` SIGKILLs one replica (recording what it held at that moment) and starts a fresh
 * incarnation in its place, as a supervisor would. `url` round-robins over live replicas.
 */

export interface KillRecord {
  /** Epoch ms of the SIGKILL. */
  at: number;
  workerId: string;
  /** Workflows whose lease the killed replica held at the kill. */
  leasedWorkflows: string[];
  /** Fan-out items (PresGen jobs) it held. */
  leasedItems: number;
}

interface Slot {
  name: string;
  incarnation: number;
  process?: BackendProcess;
}

export class ReplicaPool {
  private readonly slots: Slot[];
  private turn = 0;
  readonly kills: KillRecord[] = [];

  constructor(
    count: number,
    private readonly env: Record<string, string>,
    private readonly database: Database,
  ) {
    this.slots = Array.from({ length: count }, (_, i) => ({ name: `replica-${i + 1}`, incarnation: 0 }));
  }

  async start(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.startSlot(slot)));
  }

  live(): BackendProcess[] {
    return this.slots.flatMap((s) => (s.process ? [s.process] : []));
  }

  /** The next live replica's URL (a round-robin load balancer). */
  url(): string {
    const live = this.live();
    if (live.length === 0) throw new Error('no live replica');
    return live[this.turn++ % live.length].url;
  }

  workerIds(): string[] {
    return this.slots.flatMap((s) => Array.from({ length: s.incarnation }, (_, i) => `${s.name}-gen${i + 1}`));
  }

  /** Leases (workflows + PresGen items) the replica in slot `index` holds right now. */
  async leasesHeld(index: number): Promise<number> {
    const workerId = this.workerId(this.slots[index]);
    const [r] = await rows<{ n: number }>(
      this.database.db,
      sql`select (select count(*) from workflows where lease_owner = ${workerId} and lease_expires_at > now())
               + (select count(*) from fanout_items where lease_owner = ${workerId}) as n`,
    );
    return Number(r.n);
  }

  /** SIGKILLs the replica in slot `index` and starts its next incarnation. */
  async killOne(index: number): Promise<KillRecord> {
    const slot = this.slots[index];
    const victim = slot.process;
    if (!victim) throw new Error(`slot ${index} is not running`);
    const workerId = this.workerId(slot);
    slot.process = undefined; // out of the load balancer first
    const at = Date.now();
    await victim.kill('SIGKILL');
    // What it held at the kill: leases it can no longer renew (it cannot write after death).
    const leased = await rows<{ id: string }>(
      this.database.db,
      sql`select id from workflows where lease_owner = ${workerId} and lease_expires_at > to_timestamp(${at / 1000})`,
    );
    const [items] = await rows<{ n: number }>(
      this.database.db,
      sql`select count(*)::int as n from fanout_items where lease_owner = ${workerId}`,
    );
    const record: KillRecord = { at, workerId, leasedWorkflows: leased.map((r) => r.id), leasedItems: Number(items.n) };
    this.kills.push(record);
    await this.startSlot(slot);
    return record;
  }

  async stop(): Promise<void> {
    await Promise.all(this.live().map((p) => p.kill()));
  }

  private workerId(slot: Slot): string {
    return `${slot.name}-gen${slot.incarnation}`;
  }

  private async startSlot(slot: Slot): Promise<void> {
    slot.incarnation += 1;
    slot.process = await startBackendProcess({ ...this.env, WORKER_ID: this.workerId(slot) }, { startTimeoutMs: 60_000 });
  }
}

/** Retries a call on another replica when the one it reached died under it (connection refused/reset). */
export async function onAnyReplica<T>(call: () => Promise<T>, attempts = 5): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await call();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw last;
}
