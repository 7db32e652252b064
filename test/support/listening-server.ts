import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListeningServer {
  port: number;
  /** Paths requested so far. */
  hits: string[];
  /** TCP connections accepted so far (a request that never completes still counts). */
  connections(): number;
  /** Forgets what was recorded so far. */
  reset(): void;
}

/**
 * A local HTTP server that records every request and connection, for proving that rendered
 * documents never reach the network. Call inside a describe; it starts in `before`, closes in `after`.
 */
export function useListeningServer(): ListeningServer {
  let server: http.Server;
  let connections = 0;
  const state: ListeningServer = {
    port: 0,
    hits: [],
    connections: () => connections,
    reset: () => {
      state.hits.length = 0;
      connections = 0;
    },
  };
  before(async () => {
    server = http.createServer((req, res) => {
      state.hits.push(req.url ?? '');
      res.end('x');
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    state.port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return state;
}
