import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type NatsConnection } from 'nats';
import type { Actor } from '../../../src/domain';
import { inspectTarget } from '../../../src/infra/mysql/snapshot-target';
import { catchUpFromPeerSnapshot, chooseSource, snapshotSubject } from '../../../src/node/snapshot-catch-up';
import { randomJwtSecret } from '../../support/jwt-secret';
import { MYSQL_URL, dropDatabase } from '../mysql/test-database';
import { type RunningNode, type TestCluster, allRows, queryRows, startRunningNode, until } from './snapshot-node';

const admin: Actor = { username: 'root', role: 'admin' };
const STUDENTS = Array.from({ length: 8 }, (_, i) => `s${i + 1}`);

/** The temporary snapshot directories on disk (serving and copying). */
function leftoverFiles(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('behavior-snapshot-'));
}

/**
 * A node that starts on an empty database while a peer is far ahead copies the peer's snapshot
 * over NATS before it starts (real MySQL, real NATS, real nodes): it starts knowing what the
 * snapshot chose, serves the same read models, and leaves no file behind. Below the bound, or
 * when the peer's bytes are bad, it starts empty and catches up from the log as before.
 */
describe('catch-up from a peer snapshot at start', () => {
  const id = randomBytes(4).toString('hex');
  const cluster: TestCluster = { name: `sc${id}`, jwtSecret: randomJwtSecret(), admin: { username: 'headmaster', password: 'bootstrap-secret' } };
  const database = (node: string) => `behavior_test_sc_${id}_${node}`;
  const running: RunningNode[] = [];
  const leftoversBefore = new Set(leftoverFiles());
  let source: RunningNode;
  let nats: NatsConnection;

  beforeAll(async () => {
    nats = await connect({ servers: '127.0.0.1:4222' });
    source = await startRunningNode(cluster, 'n1', ['n1'], database('n1'));
    running.push(source);
    const { commands, driver } = source.node;
    await until('n1 leading', () => driver.status().role === 'leader');
    await source.adminToken(); // the bootstrap admin is in the log before the writes
    for (const s of STUDENTS) await commands.execute({ name: 'students.register', data: { studentId: s, name: `Student ${s}`, className: '8A' } }, admin);
    for (let i = 0; i < 16; i++) await commands.execute({ name: 'scores.modify', data: { studentId: STUDENTS[i % 8], delta: (i % 3) + 1, reason: `r${i}` } }, admin);
    const { events, projector } = source.node;
    await until('n1 projected its log', () => events.writtenHead === events.head && projector.position === events.head);
  }, 90_000);

  afterAll(async () => {
    for (const node of running) await node.stop().catch(() => undefined);
    await nats?.close();
    for (const node of ['n1', 'n2', 'n3', 'n4']) await dropDatabase(database(node));
  }, 60_000);

  it('an empty node copies the peer snapshot before it starts: the log, the read models, never acceptor state', async () => {
    const lines: string[] = [];
    const chosen = source.node.driver.status().chosenWatermark;
    const n2 = await startRunningNode(cluster, 'n2', ['n1', 'n2'], database('n2'), { SNAPSHOT_CATCHUP_MIN_SLOTS: '10' }, (_level, message) => lines.push(message));
    running.push(n2);
    expect(lines.join('\n')).toMatch(new RegExp(`restored n1's snapshot up to slot ${chosen}`));
    // Known chosen from its first moment: the snapshot, not the log, brought these slots.
    expect(n2.node.driver.status().chosenWatermark).toBeGreaterThanOrEqual(chosen);
    const eventLog = await queryRows(database('n1'), 'SELECT * FROM event_log WHERE slot <= ? ORDER BY position', [chosen]);
    expect(eventLog.length).toBeGreaterThan(20);
    expect((await allRows(database('n2'), 'event_log')).slice(0, eventLog.length)).toEqual(eventLog);
    // Never acceptor state: n2 promised and accepted nothing of n1's; its log rows up to there are chosen values of ballot zero.
    expect(await queryRows(database('n2'), 'SELECT * FROM paxos_accepted WHERE slot <= ? AND ballot_round <> 0', [chosen])).toEqual([]);
    // The read models came with it (n1 wrote nothing since): n2 serves them as soon as it may.
    for (const table of ['students', 'score_records', 'projection_checkpoints', 'user_credentials']) {
      expect({ table, rows: await allRows(database('n2'), table) }).toEqual({ table, rows: await allRows(database('n1'), table) });
    }
    await until('the serving node deleted its copy', () => leftoverFiles().every((f) => leftoversBefore.has(f)));
  }, 90_000);

  it('below the bound, or with the copy turned off, an empty node starts empty', async () => {
    const lines: string[] = [];
    const n3 = await startRunningNode(cluster, 'n3', ['n1', 'n3'], database('n3'), { SNAPSHOT_CATCHUP_MIN_SLOTS: '100000' }, (_level, message) => lines.push(message));
    running.push(n3);
    expect(lines.join('\n')).toMatch(/no snapshot copied at start \(close-enough: this node's chosen log reaches slot 0, the peers' slot \d+\)/);
    expect(lines.join('\n')).not.toMatch(/restored/);
    expect(await allRows(database('n3'), 'event_log')).toEqual([]);
    // 0 turns it off: not even the peers are asked.
    const off = await catchUpFromPeerSnapshot({ nats, prefix: cluster.name, cluster: cluster.name, self: 'n4', peers: ['n1'], url: MYSQL_URL, database: database('n4'), minSlots: 0, log: () => undefined });
    expect(off).toEqual({ restored: false, reason: 'disabled' });
    // A database whose chosen log is as far as the peers' (n2's, restored above) is left alone.
    const before = await allRows(database('n2'), 'event_log');
    const asFar = await catchUpFromPeerSnapshot({ nats, prefix: cluster.name, cluster: cluster.name, self: 'n2', peers: ['n1'], url: MYSQL_URL, database: database('n2'), minSlots: 1000, log: () => undefined });
    expect(asFar).toMatchObject({ restored: false, reason: 'close-enough' });
    expect(await allRows(database('n2'), 'event_log')).toEqual(before);
  }, 90_000);

  it('bad bytes from a peer leave the database empty and the start goes on', async () => {
    // A peer that claims a long log and sends bytes that are no snapshot.
    const fake = nats.subscribe(snapshotSubject(cluster.name, cluster.name, 'n9'), {
      callback: (_err, msg) => {
        const body = JSON.parse(Buffer.from(msg.data).toString('utf8')) as { op: string; offset?: number };
        if (body.op === 'offer') msg.respond(Buffer.from(JSON.stringify({ nodeId: 'n9', chosenWatermark: 1_000_000, leader: false })));
        else if (body.op === 'open') msg.respond(Buffer.from(JSON.stringify({ transfer: 't', bytes: 4096, chosenWatermark: 1_000_000 })));
        else if (body.op === 'chunk') msg.respond(Buffer.alloc(4096 - (body.offset ?? 0), 7));
        else if (body.op === 'close') msg.respond(Buffer.from('{}'));
      },
    });
    try {
      const lines: string[] = [];
      const outcome = await catchUpFromPeerSnapshot({
        nats,
        prefix: cluster.name,
        cluster: cluster.name,
        self: 'n4',
        peers: ['n9'],
        url: MYSQL_URL,
        database: database('n4'),
        minSlots: 1,
        log: (_level, message) => lines.push(message),
      });
      expect(outcome).toMatchObject({ restored: false, reason: 'failed' });
      expect(lines.join('\n')).toMatch(/snapshot catch-up from n9 failed \(catching up from the log instead\)/);
      expect((await inspectTarget(MYSQL_URL, database('n4'))).tablesWithRows).toEqual([]);
    } finally {
      fake.unsubscribe();
    }
  }, 60_000);

  it('takes a follower that is as far as the leader, else the furthest log', () => {
    expect(chooseSource([{ nodeId: 'a', chosenWatermark: 900, leader: true }, { nodeId: 'b', chosenWatermark: 850, leader: false }]).nodeId).toBe('b');
    expect(chooseSource([{ nodeId: 'a', chosenWatermark: 9000, leader: true }, { nodeId: 'b', chosenWatermark: 850, leader: false }]).nodeId).toBe('a');
    expect(chooseSource([{ nodeId: 'a', chosenWatermark: 10, leader: false }, { nodeId: 'b', chosenWatermark: 20, leader: false }]).nodeId).toBe('b');
  });
});
