import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { AUTHORIZATION_REQUIRED, ScriptExecutionError } from '../workspace-emulator';
import { fixtureEmulator, INSTRUCTOR, removeFixtureBundles } from './helpers';

let idp: TestIdentityProvider;
let jwks: ReturnType<typeof createRemoteJWKSet>;

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  jwks = createRemoteJWKSet(new URL(idp.jwksUrl));
});
afterAll(async () => {
  await idp.close();
  removeFixtureBundles();
});

const verify = (token: string) => jwtVerify(token, jwks, { issuer: idp.issuer, audience: idp.audience });

describe('test identity provider', () => {
  it('serves a JWKS and signs tokens (async and sync) that verify against it', async () => {
    const asyncToken = await idp.signIdToken({ email: 'a@example.com' });
    const syncToken = idp.signIdTokenSync({ email: 'b@example.com', sub: '42' });
    const a = await verify(asyncToken);
    const b = await verify(syncToken);
    expect(a.payload).toMatchObject({
      email: 'a@example.com',
      email_verified: true,
      iss: 'https://accounts.google.com',
      aud: idp.audience,
    });
    expect(b.payload).toMatchObject({ email: 'b@example.com', sub: '42' });
    expect(b.protectedHeader).toMatchObject({ alg: 'RS256', kid: idp.kid });
  });

  it('forged tokens (other key, same kid) fail signature verification', async () => {
    const forged = await idp.forgeIdToken({ email: 'a@example.com' });
    expect(decodeJwt(forged).email).toBe('a@example.com');
    await expect(verify(forged)).rejects.toThrow(/signature/i);
    await expect(verify(idp.forgeIdTokenSync({ email: 'a@example.com' }))).rejects.toThrow(/signature/i);
  });

  it('expired tokens, wrong audience and unverified email are distinguishable', async () => {
    await expect(verify(idp.signIdTokenSync({ email: 'a@example.com', expiresInSeconds: -60 }))).rejects.toThrow(/exp/);
    await expect(verify(idp.signIdTokenSync({ email: 'a@example.com', aud: 'someone-else' }))).rejects.toThrow(/aud/);
    const unverified = await verify(idp.signIdTokenSync({ email: 'a@example.com', emailVerified: false }));
    expect(unverified.payload.email_verified).toBe(false);
  });
});

describe('ScriptApp.getIdentityToken in the emulator', () => {
  it('signs synchronously for the user with the script audience; the token verifies against the JWKS', async () => {
    const emulator = fixtureEmulator({ identity: idp });
    const token = emulator.run('identityToken') as string;
    const { payload } = await verify(token);
    expect(payload).toMatchObject({ email: INSTRUCTOR.email, sub: INSTRUCTOR.sub, email_verified: true, aud: idp.audience });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    expect(emulator.callCounts()['ScriptApp.getIdentityToken']).toBe(1);
  });

  it('a forging identity yields tokens the JWKS rejects', async () => {
    const emulator = fixtureEmulator({ identity: { audience: idp.audience, signIdTokenSync: (c) => idp.forgeIdTokenSync(c) } });
    await expect(verify(emulator.run('identityToken') as string)).rejects.toThrow(/signature/i);
  });

  it('throws without the openid scope, and omits the email claim without userinfo.email', () => {
    const noOpenid = fixtureEmulator({ identity: idp }, { oauthScopes: ['https://www.googleapis.com/auth/userinfo.email'] });
    expect(() => noOpenid.run('identityToken')).toThrow(ScriptExecutionError);
    expect(() => noOpenid.run('identityToken')).toThrow(
      'You do not have permission to call ScriptApp.getIdentityToken. Required permissions: openid',
    );
    const noEmail = fixtureEmulator({ identity: idp }, { oauthScopes: ['openid'] });
    expect(decodeJwt(noEmail.run('identityToken') as string).email).toBeUndefined();
  });

  it('granular consent: without openid granted the token is null; an ungranted scope makes authorization REQUIRED and its calls fail', () => {
    const manifestScopes = ['openid', 'https://www.googleapis.com/auth/userinfo.email', 'https://www.googleapis.com/auth/drive'];
    const emulator = fixtureEmulator(
      { identity: idp, grantedScopes: ['https://www.googleapis.com/auth/userinfo.email'] },
      { oauthScopes: manifestScopes },
    );
    expect(emulator.run('identityToken')).toBeNull();
    expect(emulator.run('authorizationStatus')).toBe('REQUIRED');
    expect(() => emulator.run('driveRoundTrip', 'learner@example.com')).toThrow(AUTHORIZATION_REQUIRED);

    const consented = fixtureEmulator({ identity: idp }, { oauthScopes: manifestScopes });
    expect(consented.run('authorizationStatus')).toBe('NOT_REQUIRED');
    expect(typeof consented.run('identityToken')).toBe('string');
  });
});
