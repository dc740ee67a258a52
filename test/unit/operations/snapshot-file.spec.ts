import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { SnapshotValue } from '../../../src/infra/mysql/snapshot-source';
import { SNAPSHOT_FORMAT, SnapshotFileError, type SnapshotHeader } from '../../../src/operations/snapshot/snapshot-format';
import { scanSnapshot } from '../../../src/operations/snapshot/snapshot-reader';
import { SnapshotWriter, writeSnapshotFile } from '../../../src/operations/snapshot/snapshot-writer';
import { sealSnapshot, snapshotLines } from '../../support/snapshot-files';

const HEADER: SnapshotHeader = {
  format: SNAPSHOT_FORMAT,
  version: 1,
  nodeId: 'n1',
  cluster: 'behavior',
  chosenWatermark: 2,
  appliedSlot: 2,
  eventPosition: 3,
  migration: '0009_aggregate_snapshots',
  createdAt: '2026-01-02T03:04:05.678Z',
  tables: [
    { name: 'paxos_chosen', columns: ['slot', 'value'], key: ['slot'], rows: 2 },
    { name: 'students', columns: ['student_id', 'name', 'score', 'updated_at'], key: ['student_id'], rows: 3 },
  ],
};

const ROWS: Record<string, SnapshotValue[][]> = {
  paxos_chosen: [
    [1, '{"kind":"batch","values":[]}'],
    [2, 'line\nbreak "quoted" \\ backslash'],
  ],
  students: [
    ['s-1', '李雷', 100, '2026-01-02 03:04:05.678'],
    ['s-2', 'Ünïcødé 🎒', -9007199254740991, null],
    ['s-3', '', 0, '1970-01-01 00:00:00.000'],
  ],
};

/** Writes HEADER and ROWS through a SnapshotWriter into memory. */
async function written(): Promise<{ bytes: Buffer; sha256: string }> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const writer = new SnapshotWriter(sink);
  await writer.header(HEADER);
  for (const table of HEADER.tables) {
    await writer.startTable(table.name);
    for (const row of ROWS[table.name]) await writer.row(row);
  }
  const trailer = await writer.end();
  return { bytes: Buffer.concat(chunks), sha256: trailer.sha256 };
}

function scan(bytes: Buffer) {
  return scanSnapshot(Readable.from([bytes]));
}

/** The file's lines without the trailer, for crafting. */
function body(bytes: Buffer): unknown[] {
  return snapshotLines(bytes).slice(0, -1);
}

describe('snapshot files', () => {
  it('read back what was written: the header, every row in order, and the digest of the body', async () => {
    const { bytes, sha256 } = await written();
    const seen: [string, SnapshotValue[]][] = [];
    const result = await scanSnapshot(Readable.from([bytes]), { row: (table, values) => void seen.push([table.name, [...values]]) });
    expect(result.header).toEqual(HEADER);
    expect(result.trailer).toEqual({ end: true, rows: { paxos_chosen: 2, students: 3 }, lines: 8, sha256 });
    expect(seen).toEqual([...ROWS.paxos_chosen.map((r) => ['paxos_chosen', r]), ...ROWS.students.map((r) => ['students', r])]);
    // The format is what snapshot-format.ts documents: the crafting helper, written from it, seals the same bytes.
    expect(gunzipSync(sealSnapshot(body(bytes)))).toEqual(gunzipSync(bytes));
  });

  it('refuses a file cut short, whether the gzip stream or the text is cut', async () => {
    const { bytes } = await written();
    await expect(scan(bytes.subarray(0, Math.floor(bytes.length / 2)))).rejects.toThrow(/cut short/);
    const text = gunzipSync(bytes).toString('utf8');
    const withoutTrailer = text.slice(0, text.lastIndexOf('{"end"'));
    await expect(scan(gzipSync(withoutTrailer))).rejects.toThrow(/no trailer: it was cut short after 8 lines/);
    await expect(scan(gzipSync(withoutTrailer.slice(0, -5)))).rejects.toThrow(/middle of a line/);
    await expect(scan(gzipSync(''))).rejects.toThrow(/empty/);
  });

  it('refuses a file altered anywhere before its trailer, and bytes that are not gzip', async () => {
    const { bytes } = await written();
    const text = gunzipSync(bytes).toString('utf8');
    expect(text).toContain('"s-1","李雷",100');
    await expect(scan(gzipSync(text.replace('"s-1","李雷",100', '"s-1","李雷",900')))).rejects.toThrow(/altered: its SHA-256 is [0-9a-f]{64}, its trailer says/);
    await expect(scan(gzipSync(text.replace('"nodeId":"n1"', '"nodeId":"n2"')))).rejects.toThrow(/altered/);
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(flipped.length / 2)] ^= 0xff;
    await expect(scan(flipped)).rejects.toThrow(SnapshotFileError);
    await expect(scan(Buffer.from(text))).rejects.toThrow(/cannot be decompressed/);
  });

  it('refuses another format or version, even with a digest that matches', async () => {
    const { bytes } = await written();
    const [header, ...rest] = body(bytes) as [Record<string, unknown>, ...unknown[]];
    await expect(scan(sealSnapshot([{ ...header, version: 2 }, ...rest]))).rejects.toThrow(/version 2 is not supported: this build reads version 1/);
    await expect(scan(sealSnapshot([{ ...header, format: 'mysqldump' }, ...rest]))).rejects.toThrow(/not a node snapshot/);
    await expect(scan(sealSnapshot([{ ...header, cluster: 'a b' }, ...rest]))).rejects.toThrow(/cluster is not a node or cluster id/);
  });

  it('refuses rows that do not match the header: counts, widths, values, table order, lines after the trailer', async () => {
    const { bytes } = await written();
    const lines = body(bytes);
    const header = lines[0] as SnapshotHeader;
    await expect(scan(sealSnapshot(lines.slice(0, -1)))).rejects.toThrow(/students has 2 rows where its header counts 3/);
    await expect(scan(sealSnapshot([...lines, ['s-4', 'x', 1, null]]))).rejects.toThrow(/more rows than the 3/);
    const narrow = lines.map((l, i) => (i === lines.length - 1 ? ['s-3', '', 0] : l));
    await expect(scan(sealSnapshot(narrow))).rejects.toThrow(/is not a row of students/);
    const object = lines.map((l, i) => (i === lines.length - 1 ? ['s-3', { nested: true }, 0, null] : l));
    await expect(scan(sealSnapshot(object))).rejects.toThrow(/is not a row of students/);
    const swapped = { ...header, tables: [header.tables[1], header.tables[0]] };
    await expect(scan(sealSnapshot([swapped, ...lines.slice(1)]))).rejects.toThrow(/table paxos_chosen starts where the header has table students/);
    const text = gunzipSync(bytes).toString('utf8');
    await expect(scan(gzipSync(`${text}["more"]\n`))).rejects.toThrow(/goes on after its trailer/);
  });
});

describe('snapshot files on disk', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'snapshot-file-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appear under their name only once complete, readable by their owner alone', async () => {
    const file = join(dir, 'n1.ndjson.gz');
    const seenDuring: string[][] = [];
    await writeSnapshotFile(file, async (writer) => {
      await writer.header({ ...HEADER, tables: [] });
      seenDuring.push(readdirSync(dir));
      return writer.end();
    });
    expect(seenDuring).toEqual([['n1.ndjson.gz.partial']]);
    expect(readdirSync(dir)).toEqual(['n1.ndjson.gz']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await scan(readFileSync(file))).header.tables).toEqual([]);
  });

  it('never replace a file, and leave nothing behind when writing fails', async () => {
    const file = join(dir, 'n1.ndjson.gz');
    writeFileSync(file, 'precious');
    await expect(writeSnapshotFile(file, (writer) => writer.end())).rejects.toThrow(/EEXIST/);
    expect(readFileSync(file, 'utf8')).toBe('precious');
    const other = join(dir, 'n2.ndjson.gz');
    await expect(
      writeSnapshotFile(other, async (writer) => {
        await writer.header(HEADER);
        throw new Error('the database went away');
      }),
    ).rejects.toThrow('the database went away');
    expect(readdirSync(dir)).toEqual(['n1.ndjson.gz']);
  });
});
