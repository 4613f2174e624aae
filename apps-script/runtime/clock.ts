/**
 * The execution clock: how much of this execution's time budget is left.
 *
 * Apps Script kills an execution after 6 minutes, so every loop that waits (retries, the pump)
 * checks `remainingMs()` before sleeping or starting work. Elapsed time counts both the wall clock
 * and sleeps: on Google `Utilities.sleep` advances `Date.now()`, while a simulated runtime may only
 * advance its own clock; measuring each sleep keeps the count right in both without counting twice.
 */

export interface ExecutionClock {
  /** Milliseconds since the execution started, sleeps included. */
  elapsedMs(): number;
  /** Milliseconds left in this execution's budget (never negative). */
  remainingMs(): number;
  /** Sleep, unless that would overrun the budget; returns the milliseconds actually slept. */
  sleep(ms: number): number;
}

export interface ClockDeps {
  now: () => number;
  sleep: (ms: number) => void;
}

/** Google ends every execution after 6 minutes, whatever budget the add-on gives itself. */
export const MAX_EXECUTION_MS = 360_000;

/** Apps Script caps Utilities.sleep at 5 minutes. */
const MAX_SINGLE_SLEEP_MS = 300_000;

export function createExecutionClock(budgetMs: number, deps: ClockDeps): ExecutionClock {
  const startedAt = deps.now();
  // Sleep time the wall clock did not see (simulated runtimes).
  let unseenSleepMs = 0;

  const elapsedMs = () => deps.now() - startedAt + unseenSleepMs;
  const remainingMs = () => Math.max(0, budgetMs - elapsedMs());

  return {
    elapsedMs,
    remainingMs,
    sleep(ms) {
      const wanted = Math.min(Math.max(0, Math.floor(ms)), remainingMs(), MAX_SINGLE_SLEEP_MS);
      if (wanted <= 0) return 0;
      const before = deps.now();
      deps.sleep(wanted);
      const seen = deps.now() - before;
      if (seen < wanted) unseenSleepMs += wanted - seen;
      return wanted;
    },
  };
}
