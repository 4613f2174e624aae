import { it } from 'vitest';
import { createRecordedDatabase } from './record';

// Creates a database, then its worker process dies (SIGKILL): no teardown, no exit hook runs.
it('dies mid-test', async () => {
  await createRecordedDatabase();
  process.kill(process.pid, 'SIGKILL');
});
