import { describe, expect, it } from 'vitest';
import { createExecutionClock } from '../../apps-script/runtime/clock';

describe('execution clock', () => {
  it('counts sleeps the wall clock did not see (simulated runtime)', () => {
    let now = 1_000;
    const slept: number[] = [];
    const clock = createExecutionClock(10_000, { now: () => now, sleep: (ms) => void slept.push(ms) });
    now += 500;
    expect(clock.sleep(2_000)).toBe(2_000);
    expect(clock.elapsedMs()).toBe(2_500);
    expect(clock.remainingMs()).toBe(7_500);
    expect(slept).toEqual([2_000]);
  });

  it('does not count a sleep twice when the wall clock advanced (Google)', () => {
    let now = 0;
    const clock = createExecutionClock(10_000, { now: () => now, sleep: (ms) => void (now += ms) });
    clock.sleep(3_000);
    expect(clock.elapsedMs()).toBe(3_000);
  });

  it('never sleeps past the budget', () => {
    let now = 0;
    const slept: number[] = [];
    const clock = createExecutionClock(5_000, { now: () => now, sleep: (ms) => void slept.push(ms) });
    now = 4_000;
    expect(clock.sleep(60_000)).toBe(1_000);
    expect(clock.remainingMs()).toBe(0);
    expect(clock.sleep(10)).toBe(0);
    expect(slept).toEqual([1_000]);
  });
});
