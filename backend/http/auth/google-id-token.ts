import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';

/**
 * Verifies the Google-signed OIDC ID token Apps Script sends (`ScriptApp.getIdentityToken()`):
 * RS256 signature against the JWKS (configurable, so tests and the demo serve their own keys),
 * issuer, audience in the allowlist (the script's OAuth client id), expiry, verified email.
 */

export interface Instructor {
  email: string;
  sub: string;
}

export class InvalidIdTokenError extends Error {}

export interface IdTokenVerifierOptions {
  jwksUrl: string;
  audiences: string[];
  issuers: string[];
}

export class GoogleIdTokenVerifier {
  private readonly jwks: JWTVerifyGetKey;

  constructor(private readonly opts: IdTokenVerifierOptions) {
    this.jwks = createRemoteJWKSet(new URL(opts.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  }

  async verify(token: string): Promise<Instructor> {
    if (this.opts.audiences.length === 0) {
      throw new InvalidIdTokenError('GOOGLE_OAUTH_AUDIENCES is not configured: no ID token can be accepted');
    }
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: this.opts.issuers,
        audience: this.opts.audiences,
        algorithms: ['RS256'],
        clockTolerance: 30,
      });
      if (typeof payload.email !== 'string' || payload.email_verified !== true) {
        throw new InvalidIdTokenError('token has no verified email');
      }
      if (typeof payload.sub !== 'string') throw new InvalidIdTokenError('token has no subject');
      return { email: payload.email.toLowerCase(), sub: payload.sub };
    } catch (err) {
      if (err instanceof InvalidIdTokenError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new InvalidIdTokenError('token expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed) throw new InvalidIdTokenError(`token claim "${err.claim}" is not accepted`);
      if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw new InvalidIdTokenError('token signature is not valid');
      if (err instanceof joseErrors.JOSEError) throw new InvalidIdTokenError(`token rejected (${err.code})`);
      throw err;
    }
  }
}
