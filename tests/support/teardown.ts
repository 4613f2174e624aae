/**
 * Runs every teardown step in order, even when one fails, then rethrows the first failure: a
 * server that fails to stop must not skip dropping the suite's database. Steps may be no-ops
 * (`() => pg?.drop()` before `pg` was created).
 */
export async function teardown(...steps: Array<() => unknown>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw failures[0];
}
