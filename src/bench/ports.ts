import { createConnection, createServer } from 'node:net';
import { assert } from '../shared/assert';

/** Loopback only: a benchmark must never open a port to the network. */
export const LOOPBACK = '127.0.0.1';

/** How many times `findFreePorts` asks the OS before giving up on finding distinct ports. */
export const portAttemptsMax = 100;

/**
 * A port that was free on 127.0.0.1 a moment ago: binds port 0, reads the port, closes.
 * Another process may still take it before the caller binds it; callers that spawn servers
 * must notice a failed bind.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port bound')),
      );
    });
  });
}

/**
 * `count` distinct free loopback ports. The OS may hand out the same port twice once the first
 * listener has closed, so duplicates are asked again (bounded by `portAttemptsMax`).
 *
 * @throws Error when `portAttemptsMax` requests did not yield `count` distinct ports.
 */
export async function findFreePorts(count: number): Promise<number[]> {
  assert(Number.isInteger(count) && count > 0 && count < portAttemptsMax, `port count must be 1..99, got ${count}`);
  const ports = new Set<number>();
  for (let attempt = 0; attempt < portAttemptsMax && ports.size < count; attempt++) ports.add(await findFreePort());
  if (ports.size < count) throw new Error(`found only ${ports.size} of ${count} free ports`);
  return [...ports];
}

/** True when something accepts TCP connections on `port` of the loopback address. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: LOOPBACK, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
