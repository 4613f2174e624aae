import { appendFileSync } from 'node:fs';
import { createTestDatabase } from '../postgres';

/** Creates a test database and records its name where the parent test reads it. */
export async function createRecordedDatabase(): Promise<string> {
  const db = await createTestDatabase('presgen_leaky');
  appendFileSync(process.env.LEAKY_NAMES_FILE!, `${db.name}\n`);
  return db.name;
}
