import { randomBytes } from 'node:crypto';
import { nodeConfigFromEnv } from '../../src/config/node-config';
import { ConsensusNode } from '../../src/node/consensus-node';
import { dropDatabase } from '../integration/mysql/test-database';
import { randomJwtSecret } from './jwt-secret';

/** The admin every test node bootstraps (ADMIN_USERNAME / ADMIN_PASSWORD). */
export const ADMIN = { username: 'headmaster', password: 'bootstrap-secret' };

/** How long a single-member node may take to lead, at most. */
const LEADERSHIP_WAIT_MS = 30_000;
/** How long `token` keeps asking for a user the credentials projection has not applied yet, at most. */
const TOKEN_WAIT_MS = 20_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A single-member node (it leads alone) on the real MySQL and NATS, with its own database,
 * cluster name and API subject prefix (all named `id`).
 */
export interface SingleNode {
  readonly node: ConsensusNode;
  /** `<tag><8 hex digits>`: the cluster name and the API subject prefix; the database is `behavior_test_<id>`. */
  readonly id: string;
  /** The environment the node's configuration was read from (what an app of the node is given too). */
  readonly env: NodeJS.ProcessEnv;
  /**
   * A token straight from the node's auth service (no HTTP or NATS, no rate limits), once the user
   * exists there: asked again until the credentials projection has the user, for at most
   * TOKEN_WAIT_MS from this call.
   */
  token(username: string, password: string): Promise<string>;
  /** Stops the node and drops its database. */
  stop(): Promise<void>;
}

/**
 * Starts a single-member node with `env` added to its configuration (e.g. small rate limits) and
 * waits until it leads.
 *
 * @throws Error when it does not lead within LEADERSHIP_WAIT_MS (the node is stopped and its database dropped)
 */
export async function startSingleNode(tag: string, env: NodeJS.ProcessEnv = {}): Promise<SingleNode> {
  const id = `${tag}${randomBytes(4).toString('hex')}`;
  const database = `behavior_test_${id}`;
  const nodeEnv: NodeJS.ProcessEnv = {
    NODE_ID: 'n1',
    CLUSTER_NODES: 'n1',
    CLUSTER_NAME: id,
    API_SUBJECT_PREFIX: id,
    MYSQL_DATABASE: database,
    TICK_MS: '5',
    JWT_SECRET: randomJwtSecret(),
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    ...env,
  };
  const node = await ConsensusNode.start(nodeConfigFromEnv(nodeEnv), () => undefined);
  const stop = async () => {
    await node.stop();
    await dropDatabase(database);
  };
  const leadBy = Date.now() + LEADERSHIP_WAIT_MS;
  while (node.driver.status().role !== 'leader' && Date.now() < leadBy) await sleep(20);
  if (node.driver.status().role !== 'leader') {
    await stop();
    throw new Error(`the single-member node ${id} did not lead within ${LEADERSHIP_WAIT_MS} ms`);
  }
  return {
    node,
    id,
    env: nodeEnv,
    token: async (username, password) => {
      const deadline = Date.now() + TOKEN_WAIT_MS;
      for (;;) {
        try {
          return (await node.auth.service.login(username, password)).accessToken;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await sleep(25);
        }
      }
    },
    stop,
  };
}
