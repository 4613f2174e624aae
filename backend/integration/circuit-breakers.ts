import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { circuitState } from '../observability/metrics';
import { recordIntegrationEvent } from '../observability/integration-events';
import { log } from '../observability/logger';
import type { ServiceName } from '../observability/metrics';

/**
 * One cockatiel circuit breaker per service, created on first use. The breaker counts only
 * failures wrapped in `BreakerFailure` (transient ones: 5xx, 429, timeouts, network errors);
 * the caller returns permanent outcomes (4xx, contract violations) as values, so they count as
 * "the service answered" and reset the consecutive-failure counter.
 */

export type BreakerStateName = 'closed' | 'open' | 'half_open';

export interface BreakerSettings {
  consecutiveFailures: number;
  halfOpenAfterMs: number;
}

/** Thrown inside `execute` to make the breaker count a failure; carries the original payload. */
export class BreakerFailure<P> extends Error {
  constructor(readonly payload: P) {
    super('breaker failure');
  }
}

/** Thrown by `execute` while the circuit is open; `retryAfterMs` says when a test call is allowed. */
export class CircuitOpen extends Error {
  constructor(readonly retryAfterMs: number) {
    super('circuit open');
  }
}

const GAUGE_VALUE: Record<BreakerStateName, number> = { closed: 0, half_open: 1, open: 2 };

function stateName(state: CircuitState): BreakerStateName {
  if (state === CircuitState.Closed) return 'closed';
  if (state === CircuitState.HalfOpen) return 'half_open';
  return 'open'; // Open and Isolated both refuse calls
}

interface Entry {
  policy: CircuitBreakerPolicy;
  openedAt: number;
}

export class CircuitBreakers {
  private readonly entries = new Map<ServiceName, Entry>();

  constructor(private readonly settings: BreakerSettings) {}

  async execute<T>(service: ServiceName, fn: () => Promise<T>): Promise<T> {
    const entry = this.entryFor(service);
    try {
      return await entry.policy.execute(fn);
    } catch (err) {
      if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) {
        const remaining = entry.openedAt + this.settings.halfOpenAfterMs - Date.now();
        throw new CircuitOpen(Math.max(0, remaining));
      }
      throw err;
    }
  }

  states(): Record<string, BreakerStateName> {
    const out: Record<string, BreakerStateName> = {};
    for (const [service, entry] of this.entries) out[service] = stateName(entry.policy.state);
    return out;
  }

  private entryFor(service: ServiceName): Entry {
    const existing = this.entries.get(service);
    if (existing) return existing;
    const policy = circuitBreaker(
      handleWhen((err) => err instanceof BreakerFailure),
      { halfOpenAfter: this.settings.halfOpenAfterMs, breaker: new ConsecutiveBreaker(this.settings.consecutiveFailures) },
    );
    const entry: Entry = { policy, openedAt: 0 };
    policy.onBreak(() => {
      entry.openedAt = Date.now();
      recordIntegrationEvent(service, 'circuit_open');
    });
    policy.onStateChange((state) => {
      const name = stateName(state);
      circuitState.set({ service }, GAUGE_VALUE[name]);
      const level = name === 'closed' ? 'info' : 'warn';
      log()[level]({ integration: service, circuit: name }, 'circuit breaker state changed');
    });
    this.entries.set(service, entry);
    circuitState.set({ service }, 0);
    return entry;
  }
}
