import type { Message } from '../../../src/consensus/messages';
import { natsConnectionState } from '../../../src/infra/nats/connection';
import type { ProtocolTransportOptions } from '../../../src/infra/nats/protocol-transport';
import { NatsServerProcess, sparePort } from './nats-server-process';
import { type TestNode, memoryLog, sleep, startNode, stopNodes, uniqueCluster, waitFor } from './nats-test-support';

const members = ['n1', 'n2'];

/** Sends heartbeats n1 -> n2 every 100 ms until n2 has one with a watermark >= `mark`; returns the wait in ms. */
async function heartbeatsUntilHeard(n1: TestNode, n2: TestNode, mark: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const heard = (): boolean => n2.received.some((m) => m.type === 'Heartbeat' && m.chosenWatermark >= mark);
  let w = mark;
  while (!heard()) {
    if (Date.now() - started > timeoutMs) throw new Error(`no heartbeat >= ${mark} after ${timeoutMs} ms`);
    const hb: Message = {
      type: 'Heartbeat',
      from: 'n1',
      to: 'n2',
      ballot: { round: 1, nodeId: 'n1' },
      chosenWatermark: w++,
    };
    n1.transport.send([hb]);
    await sleep(100);
  }
  return Date.now() - started;
}

describe('NatsProtocolTransport across a NATS server restart (own nats-server)', () => {
  let server: NatsServerProcess;
  let n1: TestNode | undefined;
  let n2: TestNode | undefined;
  let logs = memoryLog();

  beforeEach(async () => {
    logs = memoryLog();
    server = new NatsServerProcess(await sparePort());
    await server.start();
    const cluster = uniqueCluster();
    const opts = (self: string): ProtocolTransportOptions => ({ cluster, self, members, maxBytes: 64 * 1024 });
    n1 = await startNode(opts('n1'), { url: server.url, log: (level, message) => logs.log(level, `n1 ${message}`) });
    n2 = await startNode(opts('n2'), { url: server.url, log: (level, message) => logs.log(level, `n2 ${message}`) });
  });

  afterEach(async () => {
    await stopNodes([n1, n2]);
    await server.stop();
  });

  it('delivers again after the server is killed and restarted', async () => {
    await heartbeatsUntilHeard(n1!, n2!, 0, 2000);
    expect(natsConnectionState(n1!.nc)).toEqual({ connected: true, reconnects: 0 });
    await server.signal('SIGKILL');
    await waitFor(
      'both clients to see the disconnect',
      () => logs.lines.filter((l) => l.startsWith('warn n') && l.includes('NATS disconnect')).length >= 2,
      10_000,
    );
    // behavior_nats_connected reads this state
    expect(natsConnectionState(n1!.nc)?.connected).toBe(false);
    n1!.transport.send([
      { type: 'Commit', from: 'n1', to: 'n2', ballot: { round: 1, nodeId: 'n1' }, chosenWatermark: 5 },
    ]);
    await sleep(500); // down for a while: clients keep retrying every 250 ms
    await server.start();
    const waited = await heartbeatsUntilHeard(n1!, n2!, 1000, 15_000);
    console.log(`restart: messages flow again ${waited} ms after the server is back`);
    expect(logs.lines.some((l) => /^info n\d NATS reconnect:/.test(l))).toBe(true);
    expect(natsConnectionState(n1!.nc)).toEqual({ connected: true, reconnects: 1 });
    expect(n1!.transport.sendFailed()['publish-failed']).toBe(0); // buffered while down, not thrown
  }, 30_000);

  it('notices a hung server through pings, then recovers when it resumes', async () => {
    await heartbeatsUntilHeard(n1!, n2!, 0, 2000);
    const stopped = Date.now();
    await server.signal('SIGSTOP'); // no FIN, no RST: only the pings can tell
    await waitFor(
      'a stale-connection or disconnect event',
      () => logs.lines.some((l) => /NATS (staleConnection|disconnect)/.test(l)),
      15_000,
      50,
    );
    const noticedMs = Date.now() - stopped;
    console.log(`hung server noticed after ${noticedMs} ms (pingInterval 2000 ms, maxPingOut 2)`);
    expect(noticedMs).toBeLessThan(12_000);
    await server.signal('SIGCONT');
    await heartbeatsUntilHeard(n1!, n2!, 1000, 15_000);
  }, 40_000);
});
