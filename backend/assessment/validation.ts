import type { z } from 'zod';
import { PermanentError } from '../errors';

/**
 * Zod parsing that fails with the project's error classification: bad input is permanent
 * (retrying cannot fix it) and the message names the offending field path.
 */

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** For inputs from callers: invalid -> PermanentError reason 'invalid_input'. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new PermanentError(`invalid ${what}: ${describeIssues(result.error)}`, {
    reason: 'invalid_input',
    details: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

/** For what the engine returns: invalid means a bug or a broken contract -> 'contract_violation'. */
export function parseOutput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new PermanentError(`${what} violates its contract: ${describeIssues(result.error)}`, {
    reason: 'contract_violation',
    details: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}
