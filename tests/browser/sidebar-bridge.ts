import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import type { WorkspaceEmulator } from '../workspace-emulator';

/**
 * Serves the sidebar HTML the add-on produced (HtmlService, via the emulator) to a real browser,
 * with a `google.script.run` shim that POSTs `{fn, args}` here; each call is one emulator
 * execution, answered to the shim's success or failure handler as Apps Script would.
 *
 * This server shares the main thread with the emulator, which blocks during UrlFetch, so calls
 * are served one at a time. That is fine: google.script.run calls are independent executions.
 */

const RunRequest = z
  .object({ fn: z.string().regex(/^[A-Za-z_$][\w$]*$/, 'fn must be a function name'), args: z.array(z.unknown()) })
  .strict();

/** Injected before the sidebar's own script: the google.script.run API over fetch. */
export const GOOGLE_SCRIPT_RUN_SHIM = `<script>
(function () {
  function runner(onSuccess, onFailure) {
    return new Proxy({}, {
      get: function (_, name) {
        if (name === 'withSuccessHandler') return function (fn) { return runner(fn, onFailure); };
        if (name === 'withFailureHandler') return function (fn) { return runner(onSuccess, fn); };
        if (name === 'withUserObject') return function () { return runner(onSuccess, onFailure); };
        return function () {
          var args = Array.prototype.slice.call(arguments);
          fetch('/__run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fn: name, args: args }) })
            .then(function (res) { return res.json(); })
            .then(function (answer) {
              if (answer.ok) { if (onSuccess) onSuccess(answer.value); }
              else if (onFailure) onFailure(new Error(answer.message));
            }, function (err) { if (onFailure) onFailure(err); });
        };
      }
    });
  }
  window.google = { script: { run: runner(null, null), host: { close: function () {} } } };
})();
</script>`;

export interface BridgeCall {
  fn: string;
  ok: boolean;
}

export interface SidebarBridge {
  url: string;
  /** Every google.script.run call served so far, in order. */
  calls: BridgeCall[];
  /** Resolves when the next call of `fn` has been answered. */
  nextCall(fn: string): Promise<BridgeCall>;
  close(): Promise<void>;
}

export async function startSidebarBridge(emulator: WorkspaceEmulator, html: string): Promise<SidebarBridge> {
  const page = html.includes('<head>') ? html.replace('<head>', `<head>\n${GOOGLE_SCRIPT_RUN_SHIM}`) : `${GOOGLE_SCRIPT_RUN_SHIM}${html}`;
  const calls: BridgeCall[] = [];
  const waiters: Array<{ fn: string; resolve: (call: BridgeCall) => void }> = [];

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const record = (call: BridgeCall) => {
    calls.push(call);
    for (const waiter of waiters.filter((w) => w.fn === call.fn)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(call);
    }
  };
  const run = (req: IncomingMessage, res: ServerResponse, body: string) => {
    let parsed: z.infer<typeof RunRequest>;
    try {
      parsed = RunRequest.parse(JSON.parse(body));
    } catch (err) {
      return answer(res, 400, { ok: false, message: `bad google.script.run request: ${err instanceof Error ? err.message : String(err)}` });
    }
    try {
      const value = emulator.run(parsed.fn, ...parsed.args);
      answer(res, 200, { ok: true, value: value ?? null });
      record({ fn: parsed.fn, ok: true });
    } catch (err) {
      answer(res, 200, { ok: false, message: err instanceof Error ? err.message : String(err) });
      record({ fn: parsed.fn, ok: false });
    }
  };

  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(page);
    }
    if (req.method === 'POST' && req.url === '/__run') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => run(req, res, Buffer.concat(chunks).toString('utf8')));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('sidebar bridge did not listen');

  return {
    url: `http://127.0.0.1:${address.port}/`,
    calls,
    nextCall: (fn) => new Promise((resolve) => waiters.push({ fn, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
