import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Actor } from '../../../src/domain';
import { createMigratedDatabase } from '../../../src/infra/mysql/snapshot-target';
import { backupNode } from '../../../src/operations/snapshot/backup';
import { SnapshotFileError, type SnapshotHeader } from '../../../src/operations/snapshot/snapshot-format';
import { RestoreRefusedError, restoreNode, snapshotFile } from '../../../src/operations/snapshot/restore';
import { craftSnapshot } from '../../support/snapshot-files';
import { randomJwtSecret } from '../../support/jwt-secret';
import { MYSQL_URL, dropDatabase } from '../mysql/test-database';
import { type TestCluster, allRows, databaseExists, queryRows, startRunningNode, until } from './snapshot-node';

const admin: Actor = { username: 'root', role: 'admin' };

/**
 * What a restore refuses, on the real MariaDB, with a backup of a real node: a file altered,
 * cut short, of another version or cluster, or holding acceptor state, leaves no database
 * behind; a target holding any row is refused with the SQL that drops it, and keeps its rows.
 */
describe('restore refusals', () => {
  const id = randomBytes(4).toString('hex');
  const cluster: TestCluster = { name: `rr${id}`, jwtSecret: randomJwtSecret(), admin: { username: 'headmaster', password: 'bootstrap-secret' } };
  const database = (name: string) => `behavior_test_rr_${id}_${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'restore-refusals-'));
  const file = join(dir, 'n1.ndjson.gz');
  const used: string[] = [];

  /** Restores `path` into a fresh database named after `name`. */
  function restore(name: string, path: string) {
    used.push(name);
    return restoreNode({ url: MYSQL_URL, database: database(name), nodeId: name, cluster: cluster.name, open: snapshotFile(path) });
  }

  /** Crafts a copy of the backup with `edit` applied (digest and counts made to match). */
  function crafted(name: string, edit: (body: unknown[]) => unknown[]): string {
    const path = join(dir, `${name}.ndjson.gz`);
    craftSnapshot(file, path, edit);
    return path;
  }

  beforeAll(async () => {
    used.push('n1');
    const node = await startRunningNode(cluster, 'n1', ['n1'], database('n1'));
    try {
      await until('n1 leading', () => node.node.driver.status().role === 'leader');
      for (let i = 0; i < 5; i++) await node.node.commands.execute({ name: 'students.register', data: { studentId: `s${i}`, name: `S ${i}`, className: '8A' } }, admin);
      await node.node.commands.execute({ name: 'scores.modify', data: { studentId: 's1', delta: -3, reason: 'late' } }, admin);
      await until('the log written and projected', () => node.node.events.writtenHead === node.node.events.head && node.node.projector.position === node.node.events.head);
    } finally {
      await node.stop();
    }
    await backupNode({ url: MYSQL_URL, database: database('n1'), nodeId: 'n1', cluster: cluster.name, file });
  }, 60_000);

  afterAll(async () => {
    for (const name of used) await dropDatabase(database(name));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a file altered after it was written, and writes nothing', async () => {
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    const altered = text.replace('"s1","S 1","8A",97', '"s1","S 1","8A",997');
    expect(altered).not.toBe(text);
    const path = join(dir, 'altered.ndjson.gz');
    writeFileSync(path, gzipSync(altered));
    await expect(restore('altered', path)).rejects.toThrow(/altered: its SHA-256 is/);
    expect(await databaseExists(database('altered'))).toBe(false);

    const flipped = Buffer.from(readFileSync(file));
    flipped[Math.floor(flipped.length * 0.6)] ^= 0x5a;
    writeFileSync(path, flipped);
    await expect(restore('flipped', path)).rejects.toThrow(SnapshotFileError);
    expect(await databaseExists(database('flipped'))).toBe(false);
  });

  it('refuses a file cut short, and writes nothing', async () => {
    const bytes = readFileSync(file);
    const path = join(dir, 'cut.ndjson.gz');
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    await expect(restore('cut', path)).rejects.toThrow(/cut short/);
    const text = gunzipSync(bytes).toString('utf8');
    writeFileSync(path, gzipSync(text.slice(0, text.lastIndexOf('{"end"'))));
    await expect(restore('cut', path)).rejects.toThrow(/no trailer/);
    expect(await databaseExists(database('cut'))).toBe(false);
  });

  it('refuses another format version, another cluster, a migration this build does not know, a header that does not add up', async () => {
    const header = (edit: (h: SnapshotHeader) => SnapshotHeader) => (body: unknown[]) => [edit(body[0] as SnapshotHeader), ...body.slice(1)];
    await expect(restore('v2', crafted('v2', header((h) => ({ ...h, version: 2 }))))).rejects.toThrow(/format version 2 is not supported: this build reads version 1/);
    await expect(restore('other', crafted('other', header((h) => ({ ...h, cluster: 'elsewhere' }))))).rejects.toMatchObject({ reason: 'other-cluster' });
    await expect(restore('future', crafted('future', header((h) => ({ ...h, migration: '0099_future' }))))).rejects.toMatchObject({ reason: 'unknown-migration' });
    await expect(restore('ahead', crafted('ahead', header((h) => ({ ...h, chosenWatermark: h.chosenWatermark + 1, appliedSlot: h.appliedSlot + 1 }))))).rejects.toMatchObject({
      reason: 'inconsistent',
    });
    for (const name of ['v2', 'other', 'future', 'ahead']) expect(await databaseExists(database(name))).toBe(false);
  });

  it('refuses a file that holds acceptor state, even with a matching digest', async () => {
    const withAcceptor = (table: string, columns: string[], row: unknown[]) => (body: unknown[]) => {
      const header = body[0] as SnapshotHeader;
      const tables = [...header.tables, { name: table, columns, key: [columns[0]], rows: 1 }];
      return [{ ...header, tables }, ...body.slice(1), { table }, row];
    };
    const promise = crafted('promise', withAcceptor('paxos_promise', ['id', 'round', 'node_id'], [1, 7, 'n1']));
    await expect(restore('promise', promise)).rejects.toThrow(RestoreRefusedError);
    await expect(restore('promise', promise)).rejects.toMatchObject({ reason: 'acceptor-state', message: expect.stringContaining('paxos_promise') });
    const accepted = crafted('accepted', withAcceptor('paxos_accepted', ['slot', 'ballot_round', 'ballot_node', 'value'], [99, 7, 'n1', '{}']));
    await expect(restore('accepted', accepted)).rejects.toMatchObject({ reason: 'acceptor-state' });
    const meta = crafted('meta', withAcceptor('paxos_meta', ['name', 'value'], ['chosen_watermark', 99]));
    await expect(restore('meta', meta)).rejects.toMatchObject({ reason: 'unknown-table' });
    for (const name of ['promise', 'accepted', 'meta']) expect(await databaseExists(database(name))).toBe(false);
  });

  it('refuses a target that holds any row, with the SQL that drops it, and leaves its rows alone; an empty migrated one is fine', async () => {
    await restore('twice', file);
    const before = await allRows(database('twice'), 'event_log');
    expect(before.length).toBeGreaterThan(0);
    await expect(restore('twice', file)).rejects.toMatchObject({ reason: 'not-empty', dropSql: `DROP DATABASE \`${database('twice')}\`;` });
    expect(await allRows(database('twice'), 'event_log')).toEqual(before);

    // A node that started there once promised something: that is data too.
    await createMigratedDatabase(MYSQL_URL, database('promised'));
    used.push('promised');
    await queryRows(database('promised'), 'INSERT INTO paxos_promise (id, round, node_id) VALUES (1, 3, ?)', ['n9']);
    await expect(restore('promised', file)).rejects.toMatchObject({ reason: 'not-empty', message: expect.stringContaining('paxos_promise') });

    await createMigratedDatabase(MYSQL_URL, database('empty'));
    const restored = await restore('empty', file);
    expect(restored.migrations).toEqual([]);
    expect(await allRows(database('empty'), 'event_log')).toEqual(await allRows(database('n1'), 'event_log'));
  });
});
