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
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startCuttableTcpProxy(target: { host: string; port: number }): Promise<CuttableTcpProxy> {
  const open = new Set<Socket>();
  let accepted = 0;
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

  await listen(0);
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    get connectionsAccepted() {
      return accepted;
    },
    async cut() {
      const closed = stopListening();
      destroyAll();
      await closed;
    },
    async restore() {
      await listen(port);
    },
    async close() {
      const closed = stopListening();
      destroyAll();
      await closed;
    },
  };
}
