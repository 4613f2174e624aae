import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';

/**
 * Issue 8, defect 3: a body over the limit answered 413 with `Connection: keep-alive`, then the
 * server dropped the socket, and a request written next on it got no answer. Now the 413 says
 * `Connection: close` and the server ends the socket cleanly after it.
 */

/** Writes raw HTTP/1.1 and collects everything the server sends until it ends the socket (bounded). */
function exchange(url: string, chunks: string[]): Promise<{ text: string; ended: 'end' | 'error' | 'timeout' }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(port), hostname);
    let text = '';
    const timer = setTimeout(() => done('timeout'), 15_000);
    const done = (ended: 'end' | 'error' | 'timeout') => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, ended });
    };
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => done('end'));
    socket.on('error', () => done('error'));
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

describe('413: the connection closes cleanly', () => {
  let identity: TestIdentityProvider;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let token: string;

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    backend = await startTestBackend(testConfig(identity), { runWorkers: false });
    token = await identity.signIdToken({ email: 'alice@school.example' });
  }, 60_000);
  afterAll(async () => {
    await backend?.stop();
    await identity?.close();
  });

  const request = (body: string, extra = '') =>
    `POST /api/workspace/quota HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

  it('answers 413 with Connection: close and ends the socket; a second request on it is never half-served', async () => {
    const big = `{"day":"2026-01-01","usage":{"x":"${'y'.repeat(3 * 1024 * 1024)}"}}`;
    const second = `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`;
    const { text, ended } = await exchange(backend.url, [request(big), second]);
    expect(ended).toBe('end');
    const responses = text.split(/(?=HTTP\/1\.1 \d{3})/).filter(Boolean);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 413/);
    expect(responses[0]).toMatch(/\r\nconnection: close\r\n/i);
    expect(responses[0]).toContain('payload_too_large');
    expect(responses).toHaveLength(1);
  });

  it('the 413 also closes when the body is sent without a Content-Length (chunked)', async () => {
    const chunk = 'z'.repeat(1024 * 1024);
    const head = `POST /api/workspace/quota HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const body = Array.from({ length: 3 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('') + '0\r\n\r\n';
    const { text, ended } = await exchange(backend.url, [head, body]);
    expect(ended).toBe('end');
    expect(text).toMatch(/^HTTP\/1\.1 413/);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
  });

  it('a body under the limit keeps the connection usable for the next request', async () => {
    const small = '{"day":"2026-01-01","usage":{"UrlFetchApp":1}}';
    const { text } = await exchange(backend.url, [request(small), `GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(['204', '200']);
  });
});
