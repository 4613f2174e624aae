import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceEmulator } from '../workspace-emulator';
import { fixtureEmulator, removeFixtureBundles, startLoopbackServer } from './helpers';

let server: Awaited<ReturnType<typeof startLoopbackServer>>;
let emulator: WorkspaceEmulator;

interface Fetched {
  code: number;
  text: string;
  headers: Record<string, string | string[]>;
}

beforeAll(async () => {
  server = await startLoopbackServer();
  emulator = fixtureEmulator({}, { urlFetchWhitelist: [`${server.baseUrl}/`] });
});
afterAll(async () => {
  await server.close();
  removeFixtureBundles();
});

describe('UrlFetchApp: synchronous real HTTP to a server in another thread', () => {
  it('GETs and POSTs with headers, payload and content type', () => {
    const get = emulator.run('fetch', `${server.baseUrl}/echo?x=1`) as Fetched;
    expect(get.code).toBe(200);
    expect(JSON.parse(get.text)).toMatchObject({ method: 'GET', path: '/echo?x=1' });

    const post = emulator.run('fetch', `${server.baseUrl}/echo`, {
      method: 'post',
      contentType: 'application/json',
      payload: JSON.stringify({ hello: 'world' }),
      headers: { Authorization: 'Bearer t0ken' },
    }) as Fetched;
    const echoed = JSON.parse(post.text);
    expect(echoed).toMatchObject({ method: 'POST', body: '{"hello":"world"}' });
    expect(echoed.headers).toMatchObject({ authorization: 'Bearer t0ken', 'content-type': 'application/json' });

    const form = JSON.parse(
      (emulator.run('fetch', `${server.baseUrl}/echo`, { method: 'post', payload: { a: '1', b: 'x y' } }) as Fetched).text,
    );
    expect(form.body).toBe('a=1&b=x+y');
    expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('throws on HTTP errors unless muteHttpExceptions is set', () => {
    expect(() => emulator.run('fetch', `${server.baseUrl}/status/503`)).toThrow(
      `Request failed for ${server.baseUrl} returned code 503. Truncated server response: status body 503 (use muteHttpExceptions option to examine full response)`,
    );
    const muted = emulator.run('fetch', `${server.baseUrl}/status/404`, { muteHttpExceptions: true }) as Fetched;
    expect(muted).toMatchObject({ code: 404, text: 'status body 404' });
  });

  it("keeps the server's header casing and returns multi-valued headers as arrays", () => {
    const limited = emulator.run('fetch', `${server.baseUrl}/retry-after`, { muteHttpExceptions: true }) as Fetched;
    expect(limited.code).toBe(429);
    expect(limited.headers['Retry-After']).toBe('7');
    expect(limited.headers['Set-Cookie']).toEqual(['a=1', 'b=2']);
  });

  it('follows redirects unless told not to', () => {
    expect(JSON.parse((emulator.run('fetch', `${server.baseUrl}/redirect`) as Fetched).text).path).toBe('/echo?redirected=1');
    expect((emulator.run('fetch', `${server.baseUrl}/redirect`, { followRedirects: false }) as Fetched).code).toBe(302);
  });

  it('fetchAll runs requests together and charges each to the quota', () => {
    const before = emulator.quotaUsage()['UrlFetchApp.fetch'] ?? 0;
    expect(emulator.run('fetchAllCodes', [`${server.baseUrl}/echo`, `${server.baseUrl}/status/500`])).toEqual([200, 500]);
    expect(emulator.quotaUsage()['UrlFetchApp.fetch']).toBe(before + 2);
  });

  it('refuses URLs outside the urlFetchWhitelist and never leaves loopback', () => {
    const otherPort = server.baseUrl.replace(/:(\d+)$/, (_, p) => `:${Number(p) === 65535 ? 65534 : Number(p) + 1}`);
    expect(() => emulator.run('fetch', `${otherPort}/echo`)).toThrow(/not in the urlFetchWhitelist/);
    const external = fixtureEmulator({}, { urlFetchWhitelist: ['https://backend.example.com/'] });
    expect(() => external.run('fetch', 'https://backend.example.com/api')).toThrow('DNS error: https://backend.example.com/api');
    expect(() => external.run('fetch', 'https://elsewhere.example.com/')).toThrow(/not in the urlFetchWhitelist/);
    const strict = fixtureEmulator({ allowHttpLoopback: false }, { urlFetchWhitelist: [`${server.baseUrl}/`] });
    expect(() => strict.run('fetch', `${server.baseUrl}/echo`)).toThrow(/not in the urlFetchWhitelist/);
  });

  it('reports a refused connection as "Address unavailable"', async () => {
    const gone = await startLoopbackServer();
    await gone.close();
    const emu = fixtureEmulator({}, { urlFetchWhitelist: [`${gone.baseUrl}/`] });
    expect(() => emu.run('fetch', `${gone.baseUrl}/echo`)).toThrow(`Address unavailable: ${gone.baseUrl}/echo`);
    expect(emu.callCounts()['UrlFetchApp.fetch']).toBe(1);
  });
});
