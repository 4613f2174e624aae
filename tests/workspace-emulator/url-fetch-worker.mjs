// Worker thread behind UrlFetchApp: performs the real HTTP requests while the script's thread waits
// in Atomics.wait (synckit). Plain JS so it runs on every Node version without a TypeScript loader.
// node:http keeps the server's header casing (rawHeaders), as Google's HTTPResponse.getHeaders does.
import http from 'node:http';
import https from 'node:https';
import { runAsWorker } from 'synckit';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

function once(url, method, headers, body, timeoutMs) {
  return new Promise((resolve) => {
    const client = url.startsWith('https:') ? https : http;
    const request = client.request(url, { method, headers, timeout: timeoutMs }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          rawHeaders: response.rawHeaders,
          body: new Uint8Array(Buffer.concat(chunks)),
          location: response.headers.location,
          finalUrl: url,
        }),
      );
      response.on('error', (err) => resolve({ error: err.code ?? 'ERR', message: err.message }));
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    request.on('error', (err) => resolve({ error: err.code ?? 'ERR', message: err.message }));
    if (body) request.write(Buffer.from(body));
    request.end();
  });
}

async function perform(req) {
  let { url, method, body } = req;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const result = await once(url, method, req.headers, body, req.timeoutMs);
    if (result.error || !req.followRedirects || !REDIRECTS.has(result.status) || !result.location) return result;
    const next = new URL(result.location, url);
    if (!req.isAllowed(next)) return result;
    url = next.toString();
    if (result.status === 303 || ((result.status === 301 || result.status === 302) && method === 'POST')) {
      method = 'GET';
      body = null;
    }
  }
  return { error: 'TOO_MANY_REDIRECTS', message: 'too many redirects' };
}

runAsWorker(async (requests) =>
  Promise.all(
    requests.map((req) =>
      perform({ ...req, isAllowed: (u) => req.loopbackOnly === false || ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) }),
    ),
  ),
);
