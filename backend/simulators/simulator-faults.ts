import { z } from 'zod';

/**
 * Injectable faults for the PresGen simulators. Rules are checked in order on every API request
 * (never on /__control); the first active rule that matches the operation answers instead of the
 * simulator. A rule lasts for `count` requests, for `forMs` after injection, or (neither given)
 * until cleared. Job-level faults (`stuckJobs`, `failJobs`) apply to the next N jobs created.
 */

export const SimulatorOperation = z.enum(['submit', 'poll', 'cancel']);
export type SimulatorOperation = z.infer<typeof SimulatorOperation>;

export const FaultRule = z
  .object({
    /** unavailable=503, server_error=500, rate_limited=429, bad_request=400, hang=never answer, malformed=200 with a body that breaks the contract. */
    type: z.enum(['unavailable', 'server_error', 'rate_limited', 'bad_request', 'hang', 'malformed']),
    count: z.number().int().min(1).optional(),
    forMs: z.number().int().min(1).optional(),
    operation: SimulatorOperation.optional(),
    /** Retry-After header (seconds) on 429 (default 1) and 503 (none unless given). */
    retryAfterSeconds: z.number().min(0).max(86_400).optional(),
  })
  .strict();
export type FaultRule = z.infer<typeof FaultRule>;

export const FaultPlan = z
  .object({
    rules: z.array(FaultRule).max(100).optional(),
    /** The next N jobs stay 'running' forever (until cancelled). */
    stuckJobs: z.number().int().min(0).optional(),
    /** The next `count` jobs end in 'failed' with this error. */
    failJobs: z
      .object({
        count: z.number().int().min(1),
        retryable: z.boolean().default(false),
        code: z.string().min(1).max(100).default('render_failed'),
      })
      .strict()
      .optional(),
  })
  .strict();
export type FaultPlan = z.input<typeof FaultPlan>;

export interface FaultResponse {
  type: FaultRule['type'];
  retryAfterSeconds?: number;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  until: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private stuckJobs = 0;
  private failJobs: { remaining: number; retryable: boolean; code: string } | undefined;

  /** Adds to the current plan. Throws a ZodError naming the field on a bad plan. */
  inject(plan: FaultPlan, now = Date.now()): void {
    const parsed = FaultPlan.parse(plan);
    for (const rule of parsed.rules ?? []) {
      this.rules.push({
        rule,
        remaining: rule.count ?? Number.POSITIVE_INFINITY,
        until: rule.forMs ? now + rule.forMs : Number.POSITIVE_INFINITY,
      });
    }
    if (parsed.stuckJobs) this.stuckJobs += parsed.stuckJobs;
    if (parsed.failJobs) {
      this.failJobs = { remaining: parsed.failJobs.count, retryable: parsed.failJobs.retryable, code: parsed.failJobs.code };
    }
  }

  clear(): void {
    this.rules = [];
    this.stuckJobs = 0;
    this.failJobs = undefined;
  }

  /** The fault that answers this request, if any; consumes one use of the rule. */
  takeRequestFault(operation: SimulatorOperation, now = Date.now()): FaultResponse | undefined {
    this.rules = this.rules.filter((r) => r.remaining > 0 && r.until > now);
    const active = this.rules.find((r) => !r.rule.operation || r.rule.operation === operation);
    if (!active) return undefined;
    active.remaining -= 1;
    return { type: active.rule.type, retryAfterSeconds: active.rule.retryAfterSeconds };
  }

  /** Job-level faults for a job being created now. */
  takeJobFault(): { stuck: boolean; failure?: { code: string; message: string; retryable: boolean } } {
    if (this.stuckJobs > 0) {
      this.stuckJobs -= 1;
      return { stuck: true };
    }
    if (this.failJobs && this.failJobs.remaining > 0) {
      this.failJobs.remaining -= 1;
      const { code, retryable } = this.failJobs;
      if (this.failJobs.remaining === 0) this.failJobs = undefined;
      return { stuck: false, failure: { code, message: 'simulated job failure', retryable } };
    }
    return { stuck: false };
  }
}
