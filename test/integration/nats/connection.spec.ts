import { connectNats, inboxPrefixFor, NatsConnectError, parseServers, redactUrl } from '../../../src/infra/nats/connection';
import { NATS_URL, memoryLog } from './nats-test-support';
import { sparePort } from './nats-server-process';

describe('connectNats', () => {
  it('connects to the real NATS, logs it, and accepts a comma-separated list', async () => {
    const { log, lines } = memoryLog();
    const nc = await connectNats({ url: ` ${NATS_URL} , ,`, name: 'test-connect', inboxPrefix: inboxPrefixFor('test'), log });
    try {
      expect(nc.isClosed()).toBe(false);
      expect(lines.some((l) => l.startsWith('info connected to NATS'))).toBe(true);
    } finally {
      await nc.close();
    }
  });

  it('fails the first connect with an error naming the URL, without its password', async () => {
    const port = await sparePort(); // nothing listens there
    const url = `nats://user:secret@127.0.0.1:${port}`;
    const started = Date.now();
    const error = await connectNats({ url, name: 'test-dead', inboxPrefix: inboxPrefixFor('test'), log: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NatsConnectError);
    expect((error as Error).message).toContain(`nats://***@127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain('secret');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('parses server lists and refuses an empty one', () => {
    expect(parseServers('nats://a:4222,b:4222')).toEqual(['nats://a:4222', 'b:4222']);
    expect(() => parseServers(' , ')).toThrow(NatsConnectError);
    expect(redactUrl('nats://u:p@a:1,nats://b:2,nats://x@c:3')).toBe('nats://***@a:1,nats://b:2,nats://***@c:3');
  });
});
