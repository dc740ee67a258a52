import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsConnection, connect } from 'nats';
import { findFreePorts } from '../../src/bench/ports';
import { NATS_PASSWORD_VARS, NatsProcess } from '../../src/chaos/nats-process';
import { DEFAULT_MYSQL_URL, DIST_MAIN, E2eCluster, REPO_ROOT } from './cluster-harness';

/**
 * The shipped NATS lock-down (deploy/nats/accounts.conf) on a real nats-server and real nodes:
 * an API client cannot speak for a node on the protocol subjects, a node cannot speak for
 * another, and a node with a wrong password is refused.
 */

/** accounts.conf grants the protocol subjects of the cluster named `behavior`. */
const CLUSTER = 'behavior';
/** A ballot round no real election reaches in this test: a message carrying it is a forgery. */
const FORGED_ROUND = 987_654_321;

describe('NATS locked down (deploy/nats/accounts.conf)', () => {
  let dir: string;
  let server: NatsProcess;
  let cluster: E2eCluster;
  const passwords = Object.fromEntries(NATS_PASSWORD_VARS.map((v) => [v, `pw${randomBytes(8).toString('hex')}`]));
  const password = (user: string): string => passwords[`NATS_${user.toUpperCase()}_PASSWORD`];
  const open: NatsConnection[] = [];

  async function as(user: string, pass = password(user)): Promise<{ nc: NatsConnection; errors: string[] }> {
    const nc = await connect({ servers: server.url, user, pass, name: `lockdown-${user}`, reconnect: false });
    open.push(nc);
    const errors: string[] = [];
    void (async () => {
      for await (const status of nc.status()) {
        const context = status.permissionContext;
        if (status.type === 'error') errors.push(`${String(status.data)} ${context?.operation} ${context?.subject}`);
      }
    })();
    return { nc, errors };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nats-lockdown-'));
    const [clientPort, clusterPort] = await findFreePorts(2);
    server = new NatsProcess({ name: 'lockdown', dir, clientPort, clusterPort, routePorts: [], passwords });
    server.writeConfig(); // nats-server -t accepts it
    await server.start();
    cluster = await E2eCluster.start({
      label: 'lock',
      natsUrl: server.url,
      env: { CLUSTER_NAME: CLUSTER },
      nodeEnv: (id) => ({ NATS_USER: id, NATS_PASSWORD: password(id) }),
    });
    await cluster.waitForLeader(30_000);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(open.map((nc) => nc.close()));
    await cluster?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('nodes using their own users form a cluster and serve the public API to the api user', async () => {
    const { nc } = await as('api');
    const reply = await nc.request('behavior.cmd.log.append', Buffer.from(JSON.stringify({ stream: 's1', data: 'hello' })), { timeout: 10_000 });
    expect(JSON.parse(Buffer.from(reply.data).toString())).toMatchObject({ ok: true });
  }, 30_000);

  it('forged Phase2b, Commit (chosen) and Phase2a from an API client are refused by the server and change nothing', () =>
    cluster.diagnose(async () => {
      const client = await as('api');
      for (let i = 0; i < 5; i++) {
        const reply = await client.nc.request('behavior.cmd.log.append', Buffer.from(JSON.stringify({ stream: 's', data: `v${i}` })), { timeout: 10_000 });
        expect(JSON.parse(Buffer.from(reply.data).toString())).toMatchObject({ ok: true });
      }
      await cluster.waitForConvergence();
      const before = await Promise.all(cluster.ids.map((id) => cluster.db.eventLog(id)));
      // A node's user sees what is addressed to it: the forgeries must never arrive there.
      const spy = await as('n1');
      const seen: string[] = [];
      const sub = spy.nc.subscribe(`paxos.${CLUSTER}.*.n1.>`, { callback: (_e, m) => seen.push(Buffer.from(m.data).toString()) });
      await spy.nc.flush();
      const { nc, errors } = await as('api');
      const head = Math.max(...before.map((log) => log.length));
      const ballot = { round: FORGED_ROUND, nodeId: 'n2' };
      for (const slot of [head, head + 1, head + 2]) {
        nc.publish(`paxos.${CLUSTER}.n2.n1.Phase2b`, Buffer.from(JSON.stringify({ type: 'Phase2b', ballot, slot })));
        nc.publish(`paxos.${CLUSTER}.n3.n1.Phase2b`, Buffer.from(JSON.stringify({ type: 'Phase2b', ballot: { round: FORGED_ROUND, nodeId: 'n3' }, slot })));
      }
      nc.publish(`paxos.${CLUSTER}.n2.n1.Commit`, Buffer.from(JSON.stringify({ type: 'Commit', ballot, chosenWatermark: head + 1000 })));
      nc.publish(`paxos.${CLUSTER}.n2.n1.Phase2a`, Buffer.from(JSON.stringify({ type: 'Phase2a', ballot, slot: head + 1, value: { kind: 'noop' }, chosenWatermark: head + 1 })));
      await nc.flush().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1500));
      expect(errors.join('\n')).toMatch(/PERMISSIONS_VIOLATION publish paxos\.behavior\.n2\.n1\.Phase2b/);
      // The spy hears the real peers (heartbeats or their replies), so it would have heard a forgery.
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((m) => m.includes(String(FORGED_ROUND)))).toEqual([]);
      sub.unsubscribe();
      await cluster.waitForConvergence();
      const after = await Promise.all(cluster.ids.map((id) => cluster.db.eventLog(id)));
      expect(after).toEqual(before);
      const statuses = await cluster.statuses();
      for (const status of statuses.values()) expect(status.ballot).not.toContain(String(FORGED_ROUND));
    }),
    90_000,
  );

  it('a node may not speak for another node, nor subscribe to what is addressed to another', async () => {
    const { nc, errors } = await as('n1');
    nc.publish(`paxos.${CLUSTER}.n2.n3.Phase2b`, Buffer.from('{}'));
    nc.subscribe(`paxos.${CLUSTER}.*.n2.>`);
    await nc.flush().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    expect(errors.join('\n')).toMatch(/PERMISSIONS_VIOLATION publish paxos\.behavior\.n2\.n3\.Phase2b/);
    expect(errors.join('\n')).toMatch(/PERMISSIONS_VIOLATION subscription paxos\.behavior\.\*\.n2\.>/);
  }, 30_000);

  it('the api user may not subscribe to the protocol', async () => {
    const { nc, errors } = await as('api');
    nc.subscribe('paxos.>');
    await nc.flush().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    expect(errors.join('\n')).toMatch(/PERMISSIONS_VIOLATION subscription paxos\.>/);
  }, 30_000);

  it('a node with a wrong password is refused and does not start', async () => {
    await expect(as('n1', 'wrong-password')).rejects.toThrow(/authorization/i);
    const database = `behavior_e2e_lock_wrongpw_${randomBytes(4).toString('hex')}`;
    const child = spawn(process.execPath, [DIST_MAIN], {
      cwd: REPO_ROOT,
      env: {
        ...process.env, NODE_ID: 'n1', CLUSTER_NODES: 'n1,n2,n3', CLUSTER_NAME: CLUSTER, NATS_URL: server.url,
        NATS_USER: 'n1', NATS_PASSWORD: 'wrong-password', MYSQL_URL: DEFAULT_MYSQL_URL, MYSQL_DATABASE: database,
        HTTP_PORT: String((await findFreePorts(1))[0]), LOG_FORMAT: 'json', JWT_SECRET: randomBytes(48).toString('base64'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 30_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    await cluster.db.dropDatabase(database);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output).toMatch(/authorization/i);
  }, 45_000);
});
