import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { sagaViewOf } from '../../../src/application/sagas/saga-view';
import type { Actor } from '../../../src/domain';
import { createKysely } from '../../../src/infra/mysql/database';
import { READ_MODELS, dumpReadModels, foldReadModels, loggedEvent, readEventRows, readModelDb } from '../../../src/projections';
import { backupNode, openNodeSnapshot, writeSnapshot } from '../../../src/operations/snapshot/backup';
import type { SnapshotHeader } from '../../../src/operations/snapshot/snapshot-format';
import { writeSnapshotFile } from '../../../src/operations/snapshot/snapshot-writer';
import { restoreNode, snapshotFile } from '../../../src/operations/snapshot/restore';
import { readSnapshotLines } from '../../support/snapshot-files';
import { randomJwtSecret } from '../../support/jwt-secret';
import { plain } from '../projections/projection-test-support';
import { MYSQL_URL, dropDatabase } from '../mysql/test-database';
import { type RunningNode, type TestCluster, allRows, queryRows, sleep, startRunningNode, tablesOf, until } from './snapshot-node';

const admin: Actor = { username: 'root', role: 'admin' };
const teacher: Actor = { username: 'tina', role: 'teacher' };
const STUDENTS = Array.from({ length: 12 }, (_, i) => `s${String(i + 1).padStart(2, '0')}`);
/** The acceptor's tables: never in a snapshot, empty after a restore. */
const ACCEPTOR = ['paxos_promise', 'paxos_accepted'];

/**
 * Backup and restore of a node's database on the real MariaDB, filled by a real node (real NATS):
 * a backup taken while the node writes is one instant of every table; a backup restored under
 * another node id holds every table's rows but the acceptor's, and the restored node starts,
 * serves the same scores over REST, and takes part in the cluster from the snapshot's watermark.
 */
describe('backup and restore of a node database', () => {
  const id = randomBytes(4).toString('hex');
  const cluster: TestCluster = { name: `bk${id}`, jwtSecret: randomJwtSecret(), admin: { username: 'headmaster', password: 'bootstrap-secret' } };
  const database = (node: string) => `behavior_test_bk_${id}_${node}`;
  const dir = mkdtempSync(join(tmpdir(), 'backup-restore-'));
  const running: RunningNode[] = [];
  /** Each student's REST answer on the source, once the writes are done. */
  const served = new Map<string, { score: number; name: string; className: string }>();
  let source: RunningNode;
  /** A token of tina's that she logged out (the snapshot carries the revocation). */
  let loggedOut = '';

  async function start(nodeId: string, members: readonly string[], db: string): Promise<RunningNode> {
    const node = await startRunningNode(cluster, nodeId, members, db, { AGGREGATE_SNAPSHOT_EVERY_EVENTS: '10' });
    running.push(node);
    return node;
  }

  async function stop(node: RunningNode): Promise<void> {
    running.splice(running.indexOf(node), 1);
    await node.stop();
  }

  /** Waits until the node applied everything it planned and its projections reached the log head. */
  async function quiet(node: RunningNode): Promise<number> {
    const { events, aggregates, projector, auth } = node.node;
    await until('the log written and projected', () => events.writtenHead === events.head && projector.position === events.head && auth.projector.position === events.head);
    await aggregates.settled();
    return events.head;
  }

  beforeAll(async () => {
    source = await start('n1', ['n1'], database('n1'));
    const { commands, driver } = source.node;
    await until('n1 leading', () => driver.status().role === 'leader');
    for (const s of STUDENTS) await commands.execute({ name: 'students.register', data: { studentId: s, name: `Student ${s}`, className: s < 's07' ? '7A' : '7B' } }, admin);
    await commands.execute({ name: 'users.create', data: { username: 'tina', password: 'tina-password', role: 'teacher', displayName: 'Tina' } }, admin);
    await commands.execute({ name: 'reasons.create', data: { code: 'helped', labelZh: '助人为乐', labelEn: 'Helped others', defaultDelta: 2, polarity: 'positive' } }, admin);
    for (let i = 0; i < 24; i++) {
      await commands.execute({ name: 'scores.modify', data: { studentId: STUDENTS[i % 12], delta: (i % 5) - 2 || 1, reason: `change ${i} "quoted"\nline` } }, admin);
    }
    for (let i = 0; i < 3; i++) {
      const submitted = await commands.execute({ name: 'applications.submit', data: { studentId: STUDENTS[i], delta: 2, reason: `tidied ${i}`, reasonCode: 'helped' } }, teacher);
      const applicationId = String(submitted.result.applicationId);
      if (i < 2) await commands.execute({ name: 'applications.review', data: { applicationId, decision: i === 0 ? 'approve' : 'reject', comment: '好' } }, admin);
    }
    const batch = await commands.execute({ name: 'scores.batch', data: { changes: STUDENTS.slice(0, 4).map((studentId) => ({ studentId, delta: 3 })), reason: 'trip' } }, admin);
    const sagaId = String(batch.result.sagaId);
    await until('the batch saga completed', async () => (await sagaViewOf(source.node.aggregates, sagaId))?.status === 'completed');
    await quiet(source);
    loggedOut = (await source.node.auth.service.login('tina', 'tina-password')).accessToken;
    const session = source.node.auth.service.session(loggedOut)!;
    await commands.execute({ name: 'users.logout', data: { username: 'tina', tokenId: session.tokenId, expiresAt: session.expiresAt } }, session.actor);
    await quiet(source);
  }, 90_000);

  afterAll(async () => {
    for (const node of [...running]) await node.stop().catch(() => undefined);
    for (const node of ['n1', 'n2', 'n3']) await dropDatabase(database(node));
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('a snapshot is one instant: tables changed after it opened are read as they were, the read models a fold of the log', async () => {
    const { commands, events } = source.node;
    const file = join(dir, 'during.ndjson.gz');
    const snapshot = await openNodeSnapshot({ url: MYSQL_URL, database: database('n1') });
    let header: SnapshotHeader;
    try {
      // The node writes to every kind of table after the snapshot's instant and before it is read.
      for (let i = 0; i < 30; i++) await commands.execute({ name: 'scores.modify', data: { studentId: STUDENTS[i % 12], delta: 1, reason: 'after the instant' } }, admin);
      await commands.execute({ name: 'students.register', data: { studentId: 'late', name: 'Late', className: '7C' } }, admin);
      const head = await quiet(source);
      expect(snapshot.position.eventPosition).toBeLessThan(head);
      const checkpoints = await queryRows(database('n1'), 'SELECT position AS p FROM projection_checkpoints WHERE name = ?', [READ_MODELS.name]);
      expect(Number(checkpoints[0].p)).toBe(head);
      header = (await writeSnapshotFile(file, (writer) => writeSnapshot(snapshot, { nodeId: 'n1', cluster: cluster.name }, writer))).header;
    } finally {
      await snapshot.close();
    }
    expect(header.eventPosition).toBe(snapshot.position.eventPosition);
    expect(events.head).toBeGreaterThan(header.eventPosition);

    await restoreNode({ url: MYSQL_URL, database: database('n3'), nodeId: 'n3', cluster: cluster.name, open: snapshotFile(file) });
    const db = createKysely(MYSQL_URL, database('n3'), 2);
    try {
      const restored = readModelDb(db);
      const checkpoint = await db.selectFrom('projection_checkpoints').select('position').where('name', '=', READ_MODELS.name).executeTakeFirstOrThrow();
      expect(Number(checkpoint.position)).toBeLessThanOrEqual(header.eventPosition);
      const events = (await readEventRows(restored, 0, 1_000_000)).filter((e) => Number(e.position) <= Number(checkpoint.position)).map(loggedEvent);
      expect(plain(await dumpReadModels(restored))).toEqual(plain(foldReadModels(events)));
      expect(await db.selectFrom('students').select('student_id').where('student_id', '=', 'late').execute()).toEqual([]);
    } finally {
      await db.destroy();
    }
    // The log is the source's, cut at the header's position and watermark.
    const { chosenWatermark, eventPosition } = header;
    expect(await allRows(database('n3'), 'event_log')).toEqual(await queryRows(database('n1'), 'SELECT * FROM event_log WHERE position <= ? ORDER BY position', [eventPosition]));
    expect(await allRows(database('n3'), 'paxos_chosen')).toEqual(await queryRows(database('n1'), 'SELECT * FROM paxos_chosen WHERE slot <= ? ORDER BY slot', [chosenWatermark]));
    expect(await allRows(database('n3'), 'applied_commands')).toEqual(await queryRows(database('n1'), 'SELECT * FROM applied_commands WHERE slot <= ? ORDER BY command_id', [chosenWatermark]));
    await dropDatabase(database('n3'));
  }, 90_000);

  it('restores under another node id every table but the acceptor state, which is left empty', async () => {
    await quiet(source);
    const token = await source.adminToken();
    for (const s of STUDENTS) {
      const res = await request(source.app.getHttpServer()).get(`/api/students/${s}`).set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      served.set(s, { score: res.body.score, name: res.body.name, className: res.body.className });
    }
    await stop(source);
    const file = join(dir, 'n1.ndjson.gz');
    const summary = await backupNode({ url: MYSQL_URL, database: database('n1'), nodeId: 'n1', cluster: cluster.name, file });
    const sourceTables = await tablesOf(database('n1'));
    // The source has acceptor state to leave out, and the file never carries it.
    for (const table of ACCEPTOR.slice(0, 1)) expect((await allRows(database('n1'), table)).length).toBeGreaterThan(0);
    const sections = readSnapshotLines(file).flatMap((line) => (typeof line === 'object' && line !== null && 'table' in line ? [(line as { table: string }).table] : []));
    expect(sections).toEqual(summary.header.tables.map((t) => t.name));
    for (const table of [...ACCEPTOR, 'paxos_meta']) expect(sections).not.toContain(table);
    const slots = await queryRows(database('n1'), 'SELECT COUNT(*) AS n, MAX(slot) AS last FROM paxos_chosen');
    expect(summary.header).toMatchObject({ nodeId: 'n1', cluster: cluster.name, chosenWatermark: Number(slots[0].last), appliedSlot: Number(slots[0].last), eventPosition: source.node.events.head });

    const restored = await restoreNode({ url: MYSQL_URL, database: database('n2'), nodeId: 'n2', cluster: cluster.name, open: snapshotFile(file) });
    expect(restored).toMatchObject({ nodeId: 'n2', chosenWatermark: summary.header.chosenWatermark, eventPosition: summary.header.eventPosition });
    expect(await tablesOf(database('n2'))).toEqual(sourceTables);
    const compared: string[] = [];
    for (const table of sourceTables) {
      if (table.startsWith('kysely_migration')) continue;
      const rows = await allRows(database('n2'), table);
      compared.push(table);
      if (table === 'paxos_promise') expect(rows).toEqual([]);
      // The log table holds the chosen log (its slots' chosen values, ballot zero) and no accept.
      else if (table === 'paxos_accepted') {
        expect(rows).toHaveLength(summary.header.chosenWatermark);
        expect(rows.filter((r) => Number(r.ballot_round) !== 0 || r.ballot_node !== '')).toEqual([]);
      }
      else if (table === 'paxos_meta') expect(rows).toEqual([{ name: 'chosen_watermark', value: String(summary.header.chosenWatermark) }]);
      // The identity is the database's own: a restored one gets its incarnation at its first start.
      else if (table === 'node_identity') expect(rows).toEqual([]);
      else expect({ table, rows }).toEqual({ table, rows: await allRows(database('n1'), table) });
    }
    expect(compared).toEqual(expect.arrayContaining(['event_log', 'paxos_chosen', 'applied_commands', 'students', 'score_records', 'applications', 'users', 'user_credentials', 'revoked_tokens', 'reasons', 'aggregate_snapshots', 'aggregate_checkpoint', 'projection_checkpoints']));
    // What the fill wrote is there to compare: the comparison is not of empty tables.
    for (const table of ['applications', 'reasons', 'aggregate_snapshots', 'student_daily_scores', 'revoked_tokens']) expect((await allRows(database('n2'), table)).length).toBeGreaterThan(0);
  }, 90_000);

  it('the restored node starts knowing the snapshot chosen, and serves the same scores over REST', async () => {
    const snapshotSlot = Number((await queryRows(database('n2'), 'SELECT MAX(slot) AS s FROM paxos_chosen'))[0].s);
    // n1 is down: n2 has no quorum and serves reads from its restored read models.
    const restored = await start('n2', ['n1', 'n2'], database('n2'));
    const status = restored.node.driver.status();
    expect(status.chosenWatermark).toBe(snapshotSlot);
    expect(status.appliedWatermark).toBe(snapshotSlot);
    expect(restored.node.events.head).toBe(Number((await queryRows(database('n2'), 'SELECT MAX(position) AS p FROM event_log'))[0].p));
    const token = await restored.adminToken();
    for (const s of STUDENTS) {
      const res = await request(restored.app.getHttpServer()).get(`/api/students/${s}`).set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect({ studentId: s, score: res.body.score, name: res.body.name, className: res.body.className }).toEqual({ studentId: s, ...served.get(s) });
    }
    const teacherLogin = await request(restored.app.getHttpServer()).post('/api/auth/login').send({ username: 'tina', password: 'tina-password' });
    expect(teacherLogin.status).toBe(200);
    // The token tina logged out on the source is refused here too: the revocation came with the snapshot.
    const refused = await request(restored.app.getHttpServer()).get('/api/auth/me').set('Authorization', `Bearer ${loggedOut}`);
    expect({ status: refused.status, message: refused.body.message }).toEqual({ status: 401, message: 'token no longer valid: logged out' });
    await request(restored.app.getHttpServer()).get('/api/auth/me').set('Authorization', `Bearer ${teacherLogin.body.accessToken}`).expect(200);

    // With n1 back (both members now), a write through n2 is chosen after the snapshot's slots and applied on both.
    const n1 = await start('n1', ['n1', 'n2'], database('n1'));
    await until('a leader both nodes follow', () => {
      const a = n1.node.driver.status();
      const b = restored.node.driver.status();
      return a.leaderId !== null && a.leaderId === b.leaderId && (a.role === 'leader' || b.role === 'leader');
    }, 30_000);
    let modified: Awaited<ReturnType<typeof restored.node.commands.execute>> | undefined;
    for (let attempt = 0; modified === undefined && attempt < 100; attempt++) {
      modified = await restored.node.commands.execute({ name: 'scores.modify', data: { studentId: 's01', delta: 5, reason: 'after the restore' } }, admin).catch(async (error: unknown) => {
        if ((error as { status?: number }).status !== 503) throw error;
        await sleep(100); // the new leader has not applied every slot it recovered yet
        return undefined;
      });
    }
    expect(modified?.result).toMatchObject({ score: served.get('s01')!.score + 5 });
    await until('both nodes applied the write', () => n1.node.events.writtenHead === modified!.position && restored.node.events.writtenHead === modified!.position);
    expect(restored.node.driver.status().appliedWatermark).toBeGreaterThan(snapshotSlot);
    expect(await allRows(database('n2'), 'event_log')).toEqual(await allRows(database('n1'), 'event_log'));
    const res = await request(restored.app.getHttpServer()).get('/api/students/s01').set('Authorization', `Bearer ${token}`).set('X-Min-Position', String(modified!.position));
    expect(res.body.score).toBe(served.get('s01')!.score + 5);
  }, 120_000);
});
