import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { errorJson } from '../api-error';
import { GoogleIdTokenVerifier, InvalidIdTokenError, type Instructor } from './google-id-token';
import { log } from '../../observability/logger';

export type AuthVariables = { instructor: Instructor; admin: string; operator: OperatorIdentity; correlationId: string };

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

/** Who performed an operator action, as written to the audit trail. */
export interface OperatorIdentity {
  /** The audit actor: the verified email, or `break-glass:<claimed name>`. */
  actor: string;
  via: 'oidc' | 'break_glass';
  /** Verified email (OIDC only). */
  email?: string;
}

export interface OperatorAuthOptions {
  /** Break-glass shared token (ADMIN_TOKEN); unset = no break-glass path. */
  adminToken?: string;
  /** Verifies operator ID tokens (Google or the configured OIDC issuer). */
  verifier: GoogleIdTokenVerifier;
  /** Lower-case verified emails allowed to act as operators (OPERATOR_EMAILS). */
  operatorEmails: readonly string[];
}

/** The X-Operator header of a break-glass call: a name, not an identity; bounded and printable. */
function claimedName(header: string | undefined): string {
  const name = (header ?? '').trim();
  return /^[\w.@+ -]{1,100}$/.test(name) ? name : 'unnamed';
}

function isAdminToken(token: string, expected: Buffer | undefined): boolean {
  if (!expected) return false;
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Operators authenticate as themselves: an OIDC ID token whose verified email is in
 * OPERATOR_EMAILS (else 403, also for an instructor's add-on token). The shared ADMIN_TOKEN is
 * the documented break-glass path: accepted, logged at warn and audited as `break-glass:<X-Operator>`.
 * Neither configured = the operator API is off (503).
 */
export function requireOperator(opts: OperatorAuthOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  const expected = opts.adminToken ? Buffer.from(opts.adminToken) : undefined;
  const allowed = new Set(opts.operatorEmails.map((e) => e.toLowerCase()));
  return async (c, next) => {
    if (!expected && allowed.size === 0) {
      return errorJson(
        c,
        503,
        'admin_disabled',
        'the operator API is disabled: set OPERATOR_EMAILS (and the OIDC audience) or the break-glass ADMIN_TOKEN',
      );
    }
    const token = bearer(c.req.header('authorization'));
    if (!token) return errorJson(c, 401, 'unauthenticated', 'Authorization: Bearer <operator ID token> is required');
    let operator: OperatorIdentity;
    if (isAdminToken(token, expected)) {
      operator = { actor: `break-glass:${claimedName(c.req.header('x-operator'))}`, via: 'break_glass' };
      log().warn({ actor: operator.actor, method: c.req.method, path: c.req.path }, 'break-glass admin token used');
    } else {
      let identity: Instructor;
      try {
        identity = await opts.verifier.verify(token);
      } catch (err) {
        if (err instanceof InvalidIdTokenError) {
          log().info({ reason: err.message }, 'operator token rejected');
          return errorJson(c, 401, 'invalid_token', err.message);
        }
        throw err;
      }
      if (!allowed.has(identity.email)) {
        log().warn({ route: 'admin' }, 'ID token of a non-operator refused on the operator API');
        return errorJson(c, 403, 'forbidden', 'this identity is not an operator (OPERATOR_EMAILS)');
      }
      operator = { actor: identity.email, via: 'oidc', email: identity.email };
    }
    c.set('operator', operator);
    c.set('admin', operator.actor);
    await next();
  };
}
