import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { findFreePort } from '../../src/bench/ports';
import { MYSQL_URL, dropDatabase } from '../integration/mysql/test-database';
import { NATS_URL } from '../integration/nats/nats-test-support';
import { isPidAlive } from '../support/processes';
const NODE_PROCESS = join(__dirname, '..', '..', 'dist', 'cluster', 'node-process.js');

/** A parent like `npm run cluster`: starts one node with startNodeProcess and prints its pid and port. */
const PARENT_SCRIPT = `
const { startNodeProcess } = require(${JSON.stringify(NODE_PROCESS)});
const env = JSON.parse(process.env.NODE_ENV_JSON);
const node = startNodeProcess({ id: 'n1', env, onLine: (n) => { if (n.port !== null && !global.told) { global.told = true; console.log('PORT ' + n.port); } } });
console.log('CHILD ' + node.child.pid);
setInterval(() => undefined, 1000);
`;

describe('a node started by npm run cluster or the benchmark (real processes, MySQL, NATS)', () => {
  const database = `behavior_t${randomBytes(4).toString('hex')}`;
  let parent: ChildProcess | undefined;
  let childPid = 0;

  afterAll(async () => {
    if (parent && parent.exitCode === null) parent.kill('SIGKILL');
    if (childPid > 0 && isPidAlive(childPid)) process.kill(childPid, 'SIGKILL');
    await dropDatabase(database);
  });

  it('given its parent is killed with SIGKILL, then the node stops too instead of living on', async () => {
    const cluster = `t${randomBytes(4).toString('hex')}`;
    const env = {
      CLUSTER_NODES: 'n1',
      CLUSTER_NAME: cluster,
      API_SUBJECT_PREFIX: cluster,
      MYSQL_URL,
      MYSQL_DATABASE: database,
      NATS_URL,
      HTTP_PORT: String(await findFreePort()),
      HTTP_PORT_RANGE: '20',
      LOG_LEVEL: 'info',
    };
    parent = spawn(process.execPath, ['-e', PARENT_SCRIPT], { env: { ...process.env, NODE_ENV_JSON: JSON.stringify(env) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    parent.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!/PORT \d+/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    childPid = Number(/CHILD (\d+)/.exec(output)?.[1] ?? 0);
    expect(output).toMatch(/PORT \d+/); // the node started and serves HTTP
    expect(isPidAlive(childPid)).toBe(true);

    parent.kill('SIGKILL');
    const gone = Date.now() + 15_000;
    while (isPidAlive(childPid) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    expect(isPidAlive(childPid)).toBe(false);
  });
});
