import type { AddressInfo } from 'node:net';
import type { App } from '../app';
import { createHttpServer } from '../http/server';

// The app's real HTTP server on a free loopback port, for tests that must go through it (body
// reading and parsing happen there, not in yoga.fetch).

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  close(): Promise<void>;
}

export async function listenOnLoopback(app: App): Promise<LoopbackServer> {
  const server = createHttpServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
