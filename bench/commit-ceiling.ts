import postgres from 'postgres';

/**
 * This machine's single-row-commit ceiling: many clients each committing one-row INSERTs as
 * fast as they can, through the same driver (postgres.js) the backend uses.
 */
export async function measureCommitCeiling(url: string, opts: { clients: number; seconds: number }): Promise<number> {
  const sql = postgres(url, { max: opts.clients, onnotice: () => {} });
  await sql`create table if not exists bench_commits (id bigserial primary key, v int not null)`;
  const deadline = Date.now() + opts.seconds * 1000;
  let commits = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: opts.clients }, async (_, i) => {
      while (Date.now() < deadline) {
        await sql`insert into bench_commits (v) values (${i})`;
        commits++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await sql`drop table bench_commits`;
  await sql.end();
  return commits / seconds;
}
