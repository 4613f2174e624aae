import type { Database } from '../db/client';
import { log } from '../observability/logger';
import { errorText } from '../observability/error-text';
import { WakeSignal } from './wake-signal';

/**
 * The one background loop: every worker (the workflow engine, the fan-out worker, the
 * notification dispatcher, the SLA watch) is a `round` run by this loop. It runs a round, then
 * sleeps until the round's next due time, a wake-up (a NOTIFY on its channel, or `notify()` from
 * this process) or `idleMaxMs` (the safety net for a missed notification), whichever is first;
 * after a failed round (database down) it backs off instead of spinning. A heartbeat renews the
 * leases of the work in progress.
 */

export interface WorkerLoopOptions {
  /** For logs. */
  name: string;
  /**
   * One round: claim what is due and start it. Returns the ms until more work is due: 0 (or
   * less) runs the next round at once, null means nothing is scheduled (sleep up to idleMaxMs).
   */
  round: () => Promise<number | null>;
  /** Longest sleep between rounds. */
  idleMaxMs: number;
  /** Sleep after a failed round. */
  errorBackoffMs: number;
  /** LISTEN on this channel: a NOTIFY wakes the loop. */
  listen?: { database: Database; channel: string };
  /** Renews the leases of work in progress every `everyMs`. */
  heartbeat?: { everyMs: number; renew: () => Promise<unknown> };
  /** How a failed round's error is logged (the dispatcher redacts channel secrets). */
  describeError?: (err: unknown) => string;
}

export class WorkerLoop {
  private running = false;
  private loop?: Promise<void>;
  private readonly wake = new WakeSignal();
  private heartbeat?: NodeJS.Timeout;
  private unlisten?: () => Promise<void>;

  constructor(private readonly opts: WorkerLoopOptions) {}

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { listen, heartbeat } = this.opts;
    if (listen) this.unlisten = await listen.database.listen(listen.channel, () => this.wake.notify());
    if (heartbeat) {
      this.heartbeat = setInterval(() => {
        heartbeat.renew().catch((err) => log().warn({ loop: this.opts.name, err: this.describe(err) }, 'lease heartbeat failed'));
      }, heartbeat.everyMs);
    }
    this.loop = this.run();
  }

  /**
   * Stops claiming, waits for the round in progress, then for `drain` (the work already started),
   * and only then stops the heartbeat, so started work keeps its leases until it ends.
   */
  async stop(drain?: () => Promise<unknown>): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake.notify();
    await this.loop;
    this.loop = undefined;
    await drain?.();
    clearInterval(this.heartbeat);
    await this.unlisten?.();
    this.unlisten = undefined;
  }

  /** Something became due in this process: run a round now instead of sleeping. */
  notify(): void {
    this.wake.notify();
  }

  private describe(err: unknown): string {
    return this.opts.describeError ? this.opts.describeError(err) : errorText(err);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let waitMs: number;
      try {
        const dueInMs = await this.opts.round();
        waitMs = dueInMs === null ? this.opts.idleMaxMs : Math.min(this.opts.idleMaxMs, dueInMs);
      } catch (err) {
        log().error({ loop: this.opts.name, err: this.describe(err) }, 'worker round failed (database unavailable?); backing off');
        waitMs = this.opts.errorBackoffMs;
      }
      if (waitMs > 0 && this.running) await this.wake.wait(waitMs);
    }
  }
}

/**
 * A periodic job on the same loop (SLA sweeps, metric flushes, scheduled reports): runs `run` now
 * and then every `everyMs`; a failed run is logged and retried at the next period. The returned
 * stop waits for the run in progress, then runs `onStop` (a last flush).
 */
export function startPeriodic(opts: {
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
  onStop?: () => Promise<unknown>;
}): () => Promise<void> {
  const loop = new WorkerLoop({
    name: opts.name,
    round: async () => {
      await opts.run();
      return null;
    },
    idleMaxMs: opts.everyMs,
    errorBackoffMs: opts.everyMs,
  });
  // Without a LISTEN channel, start() has nothing to wait for: the first round is already running.
  void loop.start();
  return () => loop.stop(opts.onStop);
}
