import { createServer, type AddressInfo } from 'node:net';

/**
 * A port free right now (the OS picks it), for a process others must know before it starts.
 * A later bind may still race with another process taking it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
