/**
 * The text of an error that is safe to log or store. A failed database query's message from
 * drizzle embeds the SQL parameters (emails, answers, gap analyses): only the driver's code and
 * message are kept.
 */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message.startsWith('Failed query:')) {
    const cause = err.cause as { code?: string; message?: string } | undefined;
    return `database query failed${cause?.code ? ` (${cause.code})` : ''}: ${cause?.message ?? 'no cause given'}`;
  }
  return err.message;
}
