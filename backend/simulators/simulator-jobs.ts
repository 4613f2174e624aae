import { randomUUID } from 'node:crypto';
import type { JobError, JobState } from '../integration/presgen-contract';

/**
 * Jobs of one simulator. No timers: a job's state is computed from timestamps when it is read,
 * so thousands of zero-latency jobs cost nothing but a map entry. Concurrency (jobs created and
 * not yet finished) is tracked exactly with a min-heap of finish times, swept at each submit.
 */

export interface SimJob {
  id: string;
  key: string;
  fingerprint: string;
  createdAt: number;
  /** When it finishes; +Infinity for a stuck job. */
  readyAt: number;
  failure?: JobError;
  cancelledAt?: number;
  result: Record<string, unknown>;
  inHeap: boolean;
}

export interface JobView {
  jobId: string;
  status: JobState;
  progress: number;
  result?: Record<string, unknown>;
  error?: JobError;
}

export interface KeyStats {
  /** The job the key points to now. */
  jobId: string;
  /** Jobs created under this key (more than 1 only after a cancel/failure and resubmit). */
  jobsCreated: number;
  submits: number;
}

export type SubmitOutcome = { kind: 'created' | 'existing'; job: SimJob } | { kind: 'conflict'; job: SimJob };

export class SimulatorJobs {
  private readonly jobs = new Map<string, SimJob>();
  private readonly byKey = new Map<string, SimJob>();
  private readonly keyStats = new Map<string, KeyStats>();
  private readonly unfinished = new FinishHeap();
  private cancelledInHeap = 0;
  jobsCreated = 0;
  jobsCancelled = 0;
  duplicateSubmits = 0;
  maxConcurrentJobs = 0;

  /**
   * Same key → same job, unless that job was cancelled or failed: then a new attempt starts
   * under the key (how a stuck job is replaced). A key reused with a different body is a conflict.
   */
  submit(
    key: string,
    fingerprint: string,
    make: (id: string) => Omit<SimJob, 'id' | 'key' | 'fingerprint' | 'inHeap' | 'cancelledAt'>,
    now: number,
  ): SubmitOutcome {
    const existing = this.byKey.get(key);
    const stats = this.keyStats.get(key) ?? { jobId: '', jobsCreated: 0, submits: 0 };
    stats.submits += 1;
    this.keyStats.set(key, stats);
    if (existing) {
      if (existing.fingerprint !== fingerprint) return { kind: 'conflict', job: existing };
      const state = this.stateOf(existing, now);
      if (state !== 'cancelled' && state !== 'failed') {
        this.duplicateSubmits += 1;
        return { kind: 'existing', job: existing };
      }
    }
    const id = randomUUID();
    const job: SimJob = { id, key, fingerprint, inHeap: false, ...make(id) };
    this.jobs.set(id, job);
    this.byKey.set(key, job);
    stats.jobId = id;
    stats.jobsCreated += 1;
    this.jobsCreated += 1;
    if (job.readyAt > now) {
      job.inHeap = true;
      this.unfinished.push(job);
    }
    this.maxConcurrentJobs = Math.max(this.maxConcurrentJobs, this.activeJobs(now));
    return { kind: 'created', job };
  }

  get(id: string): SimJob | undefined {
    return this.jobs.get(id);
  }

  /** Cancels a queued/running job; a finished job keeps its final state. */
  cancel(job: SimJob, now: number): void {
    const state = this.stateOf(job, now);
    if (state !== 'queued' && state !== 'running') return;
    job.cancelledAt = now;
    this.jobsCancelled += 1;
    if (job.inHeap) this.cancelledInHeap += 1;
  }

  stateOf(job: SimJob, now: number): JobState {
    if (job.cancelledAt !== undefined) return 'cancelled';
    if (now >= job.readyAt) return job.failure ? 'failed' : 'succeeded';
    const duration = job.readyAt - job.createdAt;
    // The first tenth of a job's life is spent queued, like a real render farm.
    return Number.isFinite(duration) && now - job.createdAt < duration * 0.1 ? 'queued' : 'running';
  }

  view(job: SimJob, now: number): JobView {
    const status = this.stateOf(job, now);
    const duration = job.readyAt - job.createdAt;
    const progress =
      status === 'succeeded' || status === 'failed'
        ? 1
        : Number.isFinite(duration) && duration > 0
          ? Math.min(0.99, (now - job.createdAt) / duration)
          : 0.5; // a stuck job looks busy forever
    return {
      jobId: job.id,
      status,
      progress: Math.round(progress * 100) / 100,
      ...(status === 'succeeded' ? { result: job.result } : {}),
      ...(status === 'failed' ? { error: job.failure } : {}),
    };
  }

  /** Jobs created and neither finished nor cancelled at `now`. */
  activeJobs(now: number): number {
    for (let top = this.unfinished.peek(); top && top.readyAt <= now; top = this.unfinished.peek()) {
      this.unfinished.pop();
      top.inHeap = false;
      if (top.cancelledAt !== undefined) this.cancelledInHeap -= 1;
    }
    return this.unfinished.size - this.cancelledInHeap;
  }

  keys(): Record<string, KeyStats> {
    return Object.fromEntries([...this.keyStats].map(([k, v]) => [k, { ...v }]));
  }
}

/** Binary min-heap of jobs by finish time. */
class FinishHeap {
  private readonly items: SimJob[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): SimJob | undefined {
    return this.items[0];
  }

  push(job: SimJob): void {
    const a = this.items;
    a.push(job);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent].readyAt <= a[i].readyAt) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }

  pop(): SimJob | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || !last) return top;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < a.length && a[l].readyAt < a[smallest].readyAt) smallest = l;
      if (r < a.length && a[r].readyAt < a[smallest].readyAt) smallest = r;
      if (smallest === i) break;
      [a[smallest], a[i]] = [a[i], a[smallest]];
      i = smallest;
    }
    return top;
  }
}
