/**
 * A test stand-in for Google's OIDC identity provider.
 *
 * It signs RS256 ID tokens shaped like the ones `ScriptApp.getIdentityToken()` returns and serves the
 * matching JWKS over HTTP on 127.0.0.1, so the backend verifies them exactly as it verifies Google's.
 *
 * The JWKS server runs in a worker thread on purpose: while the Workspace emulator performs a
 * synchronous UrlFetch, the main thread sits in `Atomics.wait`; a backend in another process that
 * fetches the JWKS at that moment would deadlock against a main-thread server.
 */
import { createSign, KeyObject, type KeyObject as KeyObjectType } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export const GOOGLE_ISSUER = 'https://accounts.google.com' as const;
export const DEFAULT_TEST_AUDIENCE = '1234-test.apps.googleusercontent.com';
export const JWKS_PATH = '/oauth2/v3/certs';

export interface IdTokenClaims {
  /** Omitted from the token when undefined (Google omits it without the userinfo.email scope). */
  email?: string;
  sub?: string;
  aud?: string;
  iss?: string;
  /** Lifetime from now; negative yields an already expired token. Default 3600. */
  expiresInSeconds?: number;
  emailVerified?: boolean;
}

export interface TestIdentityProvider {
  jwksUrl: string;
  issuer: typeof GOOGLE_ISSUER;
  audience: string;
  kid: string;
  signIdToken(claims: IdTokenClaims): Promise<string>;
  /** Same token as signIdToken, signed synchronously (for ScriptApp.getIdentityToken in the emulator). */
  signIdTokenSync(claims: IdTokenClaims): string;
  /** A token signed with a different private key but the same kid: must fail signature checks. */
  forgeIdToken(claims: IdTokenClaims): Promise<string>;
  forgeIdTokenSync(claims: IdTokenClaims): string;
  close(): Promise<void>;
}

export interface TestIdentityProviderOptions {
  audience?: string;
}

/** Stable-ish sub for an email, so tests need not invent one. */
export function subForEmail(email: string): string {
  let hash = 0n;
  for (const ch of email) hash = (hash * 131n + BigInt(ch.codePointAt(0) ?? 0)) % 10n ** 20n;
  return `1${hash.toString().padStart(20, '0')}`;
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

function buildPayload(claims: IdTokenClaims, audience: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const lifetime = claims.expiresInSeconds ?? 3600;
  const aud = claims.aud ?? audience;
  const payload: Record<string, unknown> = {
    iss: claims.iss ?? GOOGLE_ISSUER,
    azp: aud,
    aud,
    sub: claims.sub ?? (claims.email ? subForEmail(claims.email) : '100000000000000000000'),
    // An expired token must also have been issued in the past, or verifiers may flag iat instead of exp.
    iat: lifetime < 0 ? now + lifetime - 3600 : now,
    exp: now + lifetime,
  };
  if (claims.email !== undefined) {
    payload.email = claims.email;
    payload.email_verified = claims.emailVerified ?? true;
  }
  return payload;
}

function signRs256Sync(payload: Record<string, unknown>, kid: string, privateKey: KeyObjectType): string {
  const header = { alg: 'RS256', kid, typ: 'JWT' };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

/** Plain CommonJS run by `new Worker(..., { eval: true })`: serves the JWKS until terminated. */
const JWKS_WORKER_SOURCE = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const body = JSON.stringify(workerData.jwks);
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url && req.url.split('?')[0] === workerData.path) {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
    res.end(body);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

function startJwksWorker(jwks: { keys: JWK[] }): Promise<{ worker: Worker; port: number }> {
  const worker = new Worker(JWKS_WORKER_SOURCE, { eval: true, workerData: { jwks, path: JWKS_PATH } });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (msg: { port: number }) => resolve({ worker, port: msg.port }));
  });
}

async function generateRsaKeyObjects(): Promise<{ privateKey: KeyObjectType; publicJwk: JWK }> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  // The same private key as a node:crypto KeyObject, for synchronous signing.
  const privateKey = KeyObject.from(pair.privateKey as Parameters<typeof KeyObject.from>[0]);
  return { privateKey, publicJwk: await exportJWK(pair.publicKey) };
}

export async function startTestIdentityProvider(options: TestIdentityProviderOptions = {}): Promise<TestIdentityProvider> {
  const audience = options.audience ?? DEFAULT_TEST_AUDIENCE;
  const kid = `test-key-${Math.random().toString(16).slice(2, 10)}`;
  const genuine = await generateRsaKeyObjects();
  const forger = await generateRsaKeyObjects();
  const publicJwk = { ...genuine.publicJwk, kid, alg: 'RS256', use: 'sig' };
  const { worker, port } = await startJwksWorker({ keys: [publicJwk] });

  const signIdTokenSync = (claims: IdTokenClaims) => signRs256Sync(buildPayload(claims, audience), kid, genuine.privateKey);
  const forgeIdTokenSync = (claims: IdTokenClaims) => signRs256Sync(buildPayload(claims, audience), kid, forger.privateKey);

  return {
    jwksUrl: `http://127.0.0.1:${port}${JWKS_PATH}`,
    issuer: GOOGLE_ISSUER,
    audience,
    kid,
    signIdTokenSync,
    forgeIdTokenSync,
    signIdToken: async (claims) => signIdTokenSync(claims),
    forgeIdToken: async (claims) => forgeIdTokenSync(claims),
    close: async () => {
      await worker.terminate();
    },
  };
}
