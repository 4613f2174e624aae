import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy between the backend and the machine's PostgreSQL that can be cut: `cut()` destroys
 * every open connection and stops listening, so new connections are refused (ECONNREFUSED, as
 * while Postgres restarts); `restore()` listens on the same port again. To the backend this is a
 * database outage, without touching the shared cluster other suites use.
 */
export interface CuttableTcpProxy {
  port: number;
  /** Connections accepted since start (each backend reconnect is one). */
  readonly connectionsAccepted: number;
  cut(): Promise<void>;
  /**
   * Cuts (as `cut()`) from inside the proxy's data handler once clients have sent `bytes` more
   * bytes: the cut lands while a client's large write is still being transferred, not before or after it.
   */
  cutAfterClientBytes(bytes: number): Promise<void>;
  /** Listens again (a no-op when not cut). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startCuttableTcpProxy(target: { host: string; port: number }): Promise<CuttableTcpProxy> {
  const open = new Set<Socket>();
  let accepted = 0;
  let armed: { remaining: number; cut: () => void } | undefined;
  const server = createServer((client) => {
    accepted += 1;
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('data', (data: Buffer) => {
      if (!armed) return;
      armed.remaining -= data.length;
      if (armed.remaining <= 0) armed.cut();
    });
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const destroyAll = () => {
    for (const s of open) s.destroy();
    open.clear();
  };
  const stopListening = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));

  const cut = async () => {
    const closed = stopListening();
    destroyAll();
    await closed;
  };

  await listen(0);
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    get connectionsAccepted() {
      return accepted;
    },
    cut,
    cutAfterClientBytes(bytes) {
      return new Promise<void>((resolve) => {
        armed = {
          remaining: bytes,
          cut: () => {
            armed = undefined;
            void cut().then(resolve);
          },
        };
      });
    },
    async restore() {
      if (!server.listening) await listen(port);
    },
    async close() {
      const closed = stopListening();
      destroyAll();
      await closed;
    },
  };
}
