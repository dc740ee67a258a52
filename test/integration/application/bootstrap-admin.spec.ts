import { randomBytes } from 'node:crypto';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import { ConsensusNode, bootstrapCommandId } from '../../../src/node/consensus-node';
import { dropDatabase } from '../mysql/test-database';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ADMIN = { username: 'root-admin', password: 'bootstrap-password-1' };

/**
 * The bootstrap admin's command id cannot be claimed: someone who appends to the log before the
 * cluster has its admin, under the ids a reader of the code could guess, does not stop the admin
 * from being created (real MySQL and NATS, one node).
 */
describe('bootstrap admin', () => {
  const id = `boot${randomBytes(4).toString('hex')}`;
  const env = {
    NODE_ID: 'n1',
    CLUSTER_NODES: 'n1',
    CLUSTER_NAME: id,
    API_SUBJECT_PREFIX: id,
    MYSQL_DATABASE: `behavior_test_${id}`,
    TICK_MS: '5',
    JWT_SECRET: randomBytes(32).toString('hex'),
  };
  let node: ConsensusNode | undefined;

  afterAll(async () => {
    await node?.stop();
    await dropDatabase(env.MYSQL_DATABASE);
  });

  async function leader(started: ConsensusNode): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (started.driver.status().role !== 'leader' && Date.now() < deadline) await sleep(20);
    expect(started.driver.status().role).toBe('leader');
  }

  it('derives an id from secrets that every node shares and no outsider knows', () => {
    const a = bootstrapCommandId('behavior', ADMIN, 'secret-one-secret-one-secret-one');
    expect(a).toBe(bootstrapCommandId('behavior', ADMIN, 'secret-one-secret-one-secret-one'));
    expect(a).not.toBe(bootstrapCommandId('behavior', ADMIN, 'secret-two-secret-two-secret-two'));
    expect(a).not.toBe(bootstrapCommandId('other', ADMIN, 'secret-one-secret-one-secret-one'));
    expect(a).not.toBe(bootstrapCommandId('behavior', { ...ADMIN, password: 'another-password' }, 'secret-one-secret-one-secret-one'));
  });

  it('is created although the guessable ids were appended first', async () => {
    // The cluster starts without an admin; someone appends records under guessable ids.
    node = await ConsensusNode.start(nodeConfigFromEnv(env), () => undefined);
    await leader(node);
    for (const claimed of ['bootstrap-admin', `bootstrap-admin-${id}`, `${id}-bootstrap-admin`]) {
      const payload = JSON.stringify({ events: [{ streamType: 'log', streamId: 'claim', type: 'RecordAppended', schemaVersion: 1, data: null }] });
      await expect(node.proposals.propose({ id: claimed, payload })).resolves.toMatchObject({ status: 'applied' });
    }
    await node.stop();
    // Then the nodes start with their admin configured: the admin is created all the same.
    node = await ConsensusNode.start(nodeConfigFromEnv({ ...env, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password }), () => undefined);
    await leader(node);
    const deadline = Date.now() + 20_000;
    let token: string | undefined;
    let lastError: unknown;
    while (token === undefined && Date.now() < deadline) {
      try {
        token = (await node.auth.service.login(ADMIN.username, ADMIN.password)).accessToken;
      } catch (error) {
        lastError = error;
        await sleep(100);
      }
    }
    if (token === undefined) throw new Error(`the bootstrap admin was not created: ${String(lastError)}`);
    expect(node.aggregates.anyUser).toBe(true);
  }, 60_000);
});
