/** Shared set-up for the emulator self-tests: the fixture bundle in a temp folder and a loopback HTTP server in a worker. */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createWorkspaceEmulator, type EmulatorOptions, type WorkspaceEmulator } from '../workspace-emulator';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const tempDirs: string[] = [];

export const INSTRUCTOR = { email: 'instructor@example.com', sub: '100000000000000000001' };

/** Copies the fixture bundle and writes its manifest with overrides (the add-on build does the same with BACKEND_URL). */
export function fixtureBundle(manifestOverrides: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-fixture-'));
  tempDirs.push(dir);
  copyFileSync(join(FIXTURES, 'Code.js'), join(dir, 'Code.js'));
  copyFileSync(join(FIXTURES, 'Sidebar.html'), join(dir, 'Sidebar.html'));
  const manifest = { ...JSON.parse(readFileSync(join(FIXTURES, 'appsscript.json'), 'utf8')), ...manifestOverrides };
  for (const [key, value] of Object.entries(manifest)) if (value === undefined) delete manifest[key];
  writeFileSync(join(dir, 'appsscript.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

export function removeFixtureBundles(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** An identity that signs nothing real: for suites that never call getIdentityToken. */
export const NO_IDENTITY = {
  audience: 'unused.apps.googleusercontent.com',
  signIdTokenSync: () => {
    throw new Error('no identity in this suite');
  },
};

export function fixtureEmulator(
  options: Partial<EmulatorOptions> = {},
  manifestOverrides: Record<string, unknown> = {},
): WorkspaceEmulator {
  return createWorkspaceEmulator({
    bundleDir: fixtureBundle(manifestOverrides),
    user: INSTRUCTOR,
    identity: NO_IDENTITY,
    ...options,
  });
}

/**
 * A loopback HTTP server in a worker thread: the emulator's UrlFetch blocks the main thread, so a
 * main-thread server could never answer. Routes: /echo, /status/<code>, /redirect, /retry-after.
 */
const SERVER_SOURCE = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
let hits = 0;
const server = http.createServer((req, res) => {
  hits++;
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const status = /^\\/status\\/(\\d{3})$/.exec(url.pathname);
    if (status) {
      res.writeHead(Number(status[1]), { 'Content-Type': 'text/plain' });
      return res.end('status body ' + status[1]);
    }
    if (url.pathname === '/redirect') {
      res.writeHead(302, { Location: '/echo?redirected=1' });
      return res.end();
    }
    if (url.pathname === '/retry-after') {
      res.setHeader('Retry-After', '7');
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.writeHead(429, { 'Content-Type': 'application/json' });
      return res.end('{"error":"slow down"}');
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Hits': String(hits) });
    res.end(JSON.stringify({ method: req.method, path: url.pathname + url.search, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }));
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

export async function startLoopbackServer(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const worker = new Worker(SERVER_SOURCE, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { port: number }) => resolve(m.port));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      await worker.terminate();
    },
  };
}
