import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { errorJson } from '../api-error';
import { GoogleIdTokenVerifier, InvalidIdTokenError, type Instructor } from './google-id-token';
import { log } from '../../observability/logger';

export type AuthVariables = { instructor: Instructor; admin: string; correlationId: string };

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/** Apps Script callers: a valid Google ID token; the verified email is the instructor. */
export function requireInstructor(verifier: GoogleIdTokenVerifier): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token) return errorJson(c, 401, 'unauthenticated', 'Authorization: Bearer <Google ID token> is required');
    try {
      c.set('instructor', await verifier.verify(token));
    } catch (err) {
      if (err instanceof InvalidIdTokenError) {
        log().info({ reason: err.message }, 'ID token rejected');
        return errorJson(c, 401, 'invalid_token', err.message);
      }
      throw err;
    }
    await next();
  };
}

/** Operators: the ADMIN_TOKEN, compared in constant time. Unset = the operator API is off. */
export function requireAdmin(adminToken: string | undefined): MiddlewareHandler<{ Variables: AuthVariables }> {
  const expected = adminToken ? Buffer.from(adminToken) : undefined;
  return async (c, next) => {
    if (!expected) return errorJson(c, 503, 'admin_disabled', 'the operator API is disabled: set ADMIN_TOKEN');
    const token = bearer(c.req.header('authorization'));
    const given = Buffer.from(token ?? '');
    if (!token || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return errorJson(c, 401, 'unauthenticated', 'a valid admin token is required');
    }
    c.set('admin', c.req.header('x-operator') ?? 'operator');
    await next();
  };
}
