import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy between the backend and the machine's PostgreSQL that can be cut: `cut()` destroys
 * every open connection and drops new ones at once, `restore()` lets them through again. To the
 * backend this is a database outage (a restart, a failover), without touching the shared
 * cluster other suites use.
 */
export interface CuttableTcpProxy {
  port: number;
  /** Connections accepted since start (each backend reconnect is one). */
  readonly connectionsAccepted: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startCuttableTcpProxy(target: { host: string; port: number }): Promise<CuttableTcpProxy> {
  const open = new Set<Socket>();
  let isCut = false;
  let accepted = 0;
  const server = createServer((client) => {
    if (isCut) {
      client.destroy();
      return;
    }
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    get connectionsAccepted() {
      return accepted;
    },
    cut() {
      isCut = true;
      for (const s of open) s.destroy();
      open.clear();
    },
    restore() {
      isCut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        isCut = true;
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
