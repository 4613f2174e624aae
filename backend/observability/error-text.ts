import { redactSecrets } from '../notifications/redact';

/**
 * The one place an error becomes text that is stored or shown (a workflow's lastError, a step
 * run's error, audit details, operator notifications) or logged.
 *
 * Why: a failed query's message from drizzle embeds the SQL and its parameters (emails, answers,
 * gap analyses), and a driver's own message can quote the offending value
 * (`invalid input syntax for type uuid: "…"`). That text once reached the instructor's view, the
 * audit trail and the operator notification. What leaves here is a category, the SQLSTATE when
 * there is one, and a message with emails, tokens and URL credentials redacted, bounded in length.
 * The driver's message goes to the server log only (`errorLogDetail`), never into a row.
 */

const MAX_TEXT = 500;
const SQLSTATE = /^[0-9A-Z]{5}$/;

export type ErrorTextCategory = 'database' | 'contract' | 'internal';

interface DatabaseErrorShape {
  code?: string;
  message?: string;
}

/** The Postgres error behind a drizzle "Failed query" wrapper, or the error itself when it carries a SQLSTATE. */
function databaseError(err: Error): DatabaseErrorShape | undefined {
  if (err.message.startsWith('Failed query:')) return (err.cause as DatabaseErrorShape | undefined) ?? {};
  const code = (err as DatabaseErrorShape).code;
  if (typeof code === 'string' && SQLSTATE.test(code)) return err as DatabaseErrorShape;
  return undefined;
}

/** The SQLSTATE of a database error (wrapped by drizzle or not); undefined for anything else. */
export function sqlState(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = databaseError(err)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function errorCategory(err: unknown): ErrorTextCategory {
  if (err instanceof Error && databaseError(err)) return 'database';
  if (err instanceof Error && err.name === 'ZodError') return 'contract';
  return 'internal';
}

function bounded(text: string): string {
  const clean = redactSecrets(text);
  return clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT)}…` : clean;
}

/**
 * Text safe to store and show: no SQL, no parameters, no stack, no email address or token.
 * Database errors are reduced to their SQLSTATE; anything else keeps its (redacted) message.
 */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return bounded(String(err));
  const db = databaseError(err);
  if (db && db.code && SQLSTATE.test(db.code)) return `database error (SQLSTATE ${db.code})`;
  // No SQLSTATE: the query never reached the server (connection refused, reset): the driver's message quotes no data.
  if (db) return bounded(`database unreachable${db.code ? ` (${db.code})` : ''}: ${db.message ?? 'no cause given'}`);
  return bounded(err.message);
}

/** For the server log only: the driver's message too (still without SQL text or parameters, emails redacted). */
export function errorLogDetail(err: unknown): string {
  if (!(err instanceof Error)) return bounded(String(err));
  const db = databaseError(err);
  if (db) return bounded(`${errorText(err)}${db.code && SQLSTATE.test(db.code) ? `: ${db.message ?? 'no message'}` : ''}`);
  return bounded(err.message);
}

/** What an unhandled error becomes on a workflow, in its audit trail and in a notification. */
export function publicErrorText(err: unknown, correlationId: string): string {
  return `unhandled ${errorCategory(err)} error (correlation id ${correlationId}): ${errorText(err)}`;
}
