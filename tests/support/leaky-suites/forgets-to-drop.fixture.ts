import { beforeAll, expect, it } from 'vitest';
import { createRecordedDatabase } from './record';

// Creates a database, never drops it, and fails.
beforeAll(async () => {
  await createRecordedDatabase();
});

it('fails', () => {
  expect('this suite').toBe('failing on purpose');
});
