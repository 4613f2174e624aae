import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { ErrorBody } from '../../shared/contracts/api';

/** Errors as `{ error: { code, message, details } }`, the only error shape the API returns. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: ErrorBody['error']['details'],
  ) {
    super(message);
  }
}

export function errorJson(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: ErrorBody['error']['details'],
) {
  const body: ErrorBody = {
    error: { code, message, ...(details === undefined ? {} : { details }), correlationId: c.get('correlationId') },
  };
  return c.json(body, status);
}

type Issue = ZodError['issues'][number];

/**
 * A union's "Invalid input" names no field: report the issues of the alternative that came
 * closest (fewest issues), with their full paths, so `body.reason` is named rather than `body`.
 */
function expandUnions(issues: readonly Issue[], prefix: PropertyKey[] = []): Issue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && Array.isArray(issue.errors) && issue.errors.length > 0) {
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0];
      return expandUnions(closest as Issue[], path);
    }
    return [{ ...issue, path } as Issue];
  });
}

/** Names every offending field: `body.learnerEmail: Invalid email address`. */
export function validationError(c: Context, target: string, error: ZodError) {
  const details = expandUnions(error.issues).map((issue) => {
    const keys = 'keys' in issue && Array.isArray(issue.keys) ? (issue.keys as string[]) : [];
    const path = [target, ...issue.path.map(String)].join('.');
    return { field: keys.length ? keys.map((k) => `${path}.${k}`).join(', ') : path, message: issue.message };
  });
  const message = details.map((d) => `${d.field}: ${d.message}`).join('; ');
  return errorJson(c, 400, 'validation_failed', message, details);
}

export function httpExceptionToError(c: Context, err: HTTPException) {
  const status = err.status as ContentfulStatusCode;
  const code = status === 400 ? 'bad_request' : status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : 'http_error';
  return errorJson(c, status, code, err.message || 'request failed');
}
