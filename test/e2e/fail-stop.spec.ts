import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { findFreePort } from '../../src/bench/ports';
import { FAIL_STOP_EXIT_CODE } from '../../src/shared/fail-stop';
import { MYSQL_URL, dropDatabase } from '../integration/mysql/test-database';
import { NATS_URL } from '../integration/nats/nats-test-support';
import { DIST_MAIN, assertDistBuilt } from './cluster-harness';

/** A CatchupReply body that says `slot` was chosen with a one-value batch `id` (the wire format of protocol-codec). */
function forgedChosen(slot: number, id: string): Buffer {
  const value = { kind: 'batch', values: [{ id, payload: '{}' }] };
  return Buffer.from(JSON.stringify({ type: 'CatchupReply', entries: [{ slot, value }], chosenWatermark: slot }));
}

describe('fail-stop: a node that learns two values chosen for one slot exits (real process from dist, real NATS and MySQL)', () => {
  const database = `behavior_t${randomBytes(4).toString('hex')}`;
  let child: ChildProcess | undefined;
  let nats: NatsConnection | undefined;

  beforeAll(() => assertDistBuilt());
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await nats?.close();
    await dropDatabase(database);
  });

  it('given n1 learned slot 50 as chosen, when a peer subject says another value was chosen there, then n1 logs a fatal line and exits non-zero', async () => {
    const cluster = `t${randomBytes(4).toString('hex')}`;
    const env = {
      ...process.env,
      NODE_ID: 'n1',
      CLUSTER_NODES: 'n1,n2,n3',
      CLUSTER_NAME: cluster,
      API_SUBJECT_PREFIX: cluster,
      MYSQL_URL,
      MYSQL_DATABASE: database,
      NATS_URL,
      HTTP_PORT: String(await findFreePort()),
      HTTP_PORT_RANGE: '20',
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    };
    child = spawn(process.execPath, [DIST_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    const started = Date.now() + 60_000;
    while (!/serving HTTP/.test(output) && child.exitCode === null && Date.now() < started) await new Promise((r) => setTimeout(r, 100));
    expect(output).toMatch(/serving HTTP/);

    nats = await connect({ servers: NATS_URL });
    const subject = `paxos.${cluster}.n2.n1.CatchupReply`;
    nats.publish(subject, forgedChosen(50, 'forged-a'));
    await nats.flush();
    // The same value again is harmless: the node must still be up after it (no false alarm).
    nats.publish(subject, forgedChosen(50, 'forged-a'));
    await nats.flush();
    await new Promise((r) => setTimeout(r, 500));
    expect(child.exitCode).toBeNull();

    nats.publish(subject, forgedChosen(50, 'forged-b'));
    await nats.flush();
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<'still running'>((r) => (timer = setTimeout(() => r('still running'), 30_000)))]);
    clearTimeout(timer);
    expect(code).toBe(FAIL_STOP_EXIT_CODE);
    expect(output).toMatch(/"level":"fatal".*FATAL: invariant broken in replica driver step\(CatchupReply from n2\): slot 50 chosen twice with different values/);
  });
});
