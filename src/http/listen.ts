import type { INestApplication } from '@nestjs/common';

/** The port and any fallback ports are all taken. */
export class PortTakenError extends Error {
  override readonly name = 'PortTakenError';
}

/**
 * Listens on `port`, or, when it is taken and `range` > 0, on the next free port up to
 * `port + range`, logging the one it took.
 * @returns the port listened on
 * @throws PortTakenError naming the port(s) when none is free
 */
export async function listenWithFallback(app: INestApplication, host: string, port: number, range: number, warn: (m: string) => void): Promise<number> {
  for (let candidate = port; candidate <= port + range; candidate++) {
    try {
      await app.listen(candidate, host);
      if (candidate !== port) warn(`HTTP_PORT ${port} is taken; took ${candidate} (HTTP_PORT_RANGE ${range})`);
      return candidate;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    }
  }
  const span = range > 0 ? `ports ${port}..${port + range} are all taken` : `HTTP_PORT ${port} is taken (set HTTP_PORT_RANGE to let the node fall back to the next free port)`;
  throw new PortTakenError(span);
}
