import { randomBytes } from 'node:crypto';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import { NodeMetrics } from '../../../src/node/node-metrics';
import { LOG_STREAMS_MAX, LogAppendHandler } from '../../../src/messaging/log-append.handler';
import { PublicRequestGate } from '../../../src/messaging/public';
import { ConsensusNode } from '../../../src/node/consensus-node';
import { dropDatabase } from '../mysql/test-database';
import { requestPublic } from './public-nats-support';
import { randomJwtSecret } from '../../support/jwt-secret';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STREAMS_PER_FILL = 100;

/**
 * The benchmark's log.append on a real single-member node (MySQL, NATS): the streams it may
 * create, and so what every node keeps in memory for them, are bounded.
 */
describe('log.append (BENCH_LOG_APPEND=1)', () => {
  const id = `app${randomBytes(4).toString('hex')}`;
  const database = `behavior_test_${id}`;
  let node: ConsensusNode;
  let handler: LogAppendHandler;
  const append = (body: unknown) => requestPublic(node.nats, `${id}.cmd.log.append`, body);

  beforeAll(async () => {
    node = await ConsensusNode.start(
      nodeConfigFromEnv({ JWT_SECRET: randomJwtSecret(), NODE_ID: 'n1', CLUSTER_NODES: 'n1', CLUSTER_NAME: id, API_SUBJECT_PREFIX: id, MYSQL_DATABASE: database, TICK_MS: '5', BENCH_LOG_APPEND: '1' }),
      () => undefined,
    );
    const deadline = Date.now() + 15_000;
    while (node.driver.status().role !== 'leader' && Date.now() < deadline) await sleep(20);
    handler = new LogAppendHandler(node, new NodeMetrics(node), new PublicRequestGate(node));
    handler.onApplicationBootstrap();
    await node.nats.flush();
  }, 30_000);

  afterAll(async () => {
    handler?.onApplicationShutdown();
    await node?.stop();
    await dropDatabase(database);
  });

  it('refuses stream names outside 1-128 of [A-Za-z0-9_.:-] with 400', async () => {
    for (const stream of ['', 'x'.repeat(129), 'a b', 'ü', 'a/b']) {
      expect(await append({ stream, data: 1 })).toMatchObject({ ok: false, error: { statusCode: 400 } });
    }
    expect(await append({ stream: 'ok.stream:1_-', data: 1 })).toMatchObject({ ok: true });
  });

  it(`takes appends for at most ${LOG_STREAMS_MAX} distinct streams; those it has go on taking them`, async () => {
    for (let fill = 0; node.events.streamCount('log') < LOG_STREAMS_MAX; fill++) {
      const events = Array.from({ length: STREAMS_PER_FILL }, (_, i) => ({ streamType: 'log', streamId: `f-${fill}-${i}`, type: 'RecordAppended', schemaVersion: 1, data: null }));
      await expect(node.proposals.propose({ id: `fill-${fill}`, payload: JSON.stringify({ events }) })).resolves.toMatchObject({ status: 'applied' });
    }
    const streams = node.events.streamCount('log');
    const refused = await append({ stream: 'one-too-many', data: 1 });
    expect(refused).toMatchObject({ ok: false, error: { statusCode: 422 } });
    expect(await append({ stream: 'f-0-0', data: 2 })).toMatchObject({ ok: true });
    expect(node.events.streamCount('log')).toBe(streams);
    expect(node.events.streamVersion('log', 'one-too-many')).toBe(0);
  }, 120_000);
});
