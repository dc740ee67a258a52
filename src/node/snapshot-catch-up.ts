import { randomUUID } from 'node:crypto';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Msg, type NatsConnection, type Subscription, headers as natsHeaders } from 'nats';
import { dropDatabaseSql, installPending, installSnapshot, restoreNode, snapshotFile } from '../operations/snapshot/restore';
import { writeNodeSnapshot } from '../operations/snapshot/backup';
import { writeSnapshotFile } from '../operations/snapshot/snapshot-writer';
import { inspectTarget } from '../infra/mysql/snapshot-target';
import { createConnection } from 'mysql2/promise';
import { parseMysqlUrl } from '../infra/mysql/mysql-url';

/**
 * Catch-up from a peer's snapshot (ARCHITECTURE.md, membership): a node that starts far behind a
 * peer (on an empty database, or one whose chosen log is many slots back) copies that peer's
 * snapshot over NATS (the same file `backup` writes: event log, read models, checkpoints, never
 * acceptor state), restores or installs it, and only then starts, so it catches up from the log
 * only what came after. Safety: a restore leaves the acceptor state empty and an install keeps
 * it as it was, so no promise is forgotten; the storage identity and the guard decide whether
 * the node may vote, exactly as after an operator's `restore`.
 */

/** Where a node serves its snapshot to peers: a nodes-only internal subject. */
export function snapshotSubject(prefix: string, cluster: string, nodeId: string): string {
  return `${prefix}.internal.${cluster}.${nodeId}.snapshot`;
}

/** The header that carries a failed snapshot request's reason. */
const ERROR_HEADER = 'Snapshot-Error';
/** Bytes per chunk: well under NATS's default 1 MiB payload. */
export const SNAPSHOT_CHUNK_BYTES = 512 * 1024;
/** A written transfer nobody read for this long is deleted. */
const TRANSFER_IDLE_MS = 120_000;
/** How long a peer may take to answer the offer question. */
const OFFER_TIMEOUT_MS = 1000;
/** How long writing the snapshot may take on the peer (it reads every table). */
const OPEN_TIMEOUT_MS = 15 * 60_000;
const CHUNK_TIMEOUT_MS = 30_000;

type SnapshotRequest = { op: 'offer' } | { op: 'open' } | { op: 'chunk'; transfer: string; offset: number } | { op: 'close'; transfer: string };

/** A peer's answer to `offer`: how far its log goes, and whether it leads (a follower is asked first). */
export interface SnapshotOffer {
  readonly nodeId: string;
  readonly chosenWatermark: number;
  readonly leader: boolean;
}

interface OpenedTransfer {
  readonly transfer: string;
  readonly bytes: number;
  readonly chosenWatermark: number;
}

/** What the serving node needs: its database, identity and how far its log goes. */
export interface SnapshotServerSpec {
  readonly url: string;
  readonly database: string;
  readonly nodeId: string;
  readonly cluster: string;
  readonly status: () => { readonly chosenWatermark: number; readonly leader: boolean };
  readonly log: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Serves this node's snapshot to peers: `offer` tells how far its log goes, `open` writes a
 * snapshot (one at a time) to a private temporary file, `chunk` reads it piece by piece, and
 * `close` (or TRANSFER_IDLE_MS without a read) deletes it.
 */
export class SnapshotServer {
  private transfer: { id: string; dir: string; file: string; bytes: number; lastRead: number } | null = null;
  private opening = false;
  private readonly subscription: Subscription;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly nats: NatsConnection,
    subject: string,
    private readonly spec: SnapshotServerSpec,
  ) {
    this.subscription = nats.subscribe(subject, { callback: (_err, msg) => void this.handle(msg) });
    this.sweeper = setInterval(() => {
      if (this.transfer && Date.now() - this.transfer.lastRead > TRANSFER_IDLE_MS) void this.discard();
    }, TRANSFER_IDLE_MS / 4);
    this.sweeper.unref();
  }

  /** Stops serving and deletes a transfer's file (in the background). */
  unsubscribe(): void {
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
    void this.discard();
  }

  private async handle(msg: Msg): Promise<void> {
    let request: SnapshotRequest;
    try {
      request = JSON.parse(Buffer.from(msg.data).toString('utf8')) as SnapshotRequest;
    } catch {
      return this.fail(msg, 'not JSON');
    }
    try {
      switch (request?.op) {
        case 'offer': {
          const { chosenWatermark, leader } = this.spec.status();
          return this.json(msg, { nodeId: this.spec.nodeId, chosenWatermark, leader } satisfies SnapshotOffer);
        }
        case 'open':
          return await this.open(msg);
        case 'chunk':
          return await this.chunk(msg, request.transfer, request.offset);
        case 'close':
          if (this.transfer?.id === request.transfer) await this.discard();
          return this.json(msg, { closed: true });
        default:
          return this.fail(msg, 'unknown request');
      }
    } catch (error) {
      this.spec.log('warn', `snapshot for a peer: ${error instanceof Error ? error.message : String(error)}`);
      return this.fail(msg, 'failed');
    }
  }

  private async open(msg: Msg): Promise<void> {
    if (this.opening || this.transfer !== null) return this.fail(msg, 'busy');
    this.opening = true;
    try {
      const dir = await mkdtemp(join(tmpdir(), `behavior-snapshot-${this.spec.nodeId}-`));
      const file = join(dir, 'snapshot.ndjson.gz');
      const started = performance.now();
      try {
        const written = await writeSnapshotFile(file, (writer) =>
          writeNodeSnapshot({ url: this.spec.url, database: this.spec.database, nodeId: this.spec.nodeId, cluster: this.spec.cluster, queuedCommands: false }, writer),
        );
        const { size } = await stat(file);
        this.transfer = { id: randomUUID(), dir, file, bytes: size, lastRead: Date.now() };
        this.spec.log('info', `snapshot for a peer written: ${size} bytes up to slot ${written.header.chosenWatermark} in ${((performance.now() - started) / 1000).toFixed(1)} s`, {
          event: 'snapshot-served',
          bytes: size,
          chosenWatermark: written.header.chosenWatermark,
        });
        return this.json(msg, { transfer: this.transfer.id, bytes: size, chosenWatermark: written.header.chosenWatermark } satisfies OpenedTransfer);
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    } finally {
      this.opening = false;
    }
  }

  private async chunk(msg: Msg, transfer: string, offset: number): Promise<void> {
    const current = this.transfer;
    if (current === null || current.id !== transfer) return this.fail(msg, 'unknown transfer');
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > current.bytes) return this.fail(msg, 'offset out of range');
    current.lastRead = Date.now();
    const handle = await open(current.file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(SNAPSHOT_CHUNK_BYTES, current.bytes - offset));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      if (msg.reply) msg.respond(buffer.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  }

  private async discard(): Promise<void> {
    const current = this.transfer;
    this.transfer = null;
    if (current) await rm(current.dir, { recursive: true, force: true });
  }

  private json(msg: Msg, body: unknown): void {
    if (msg.reply) msg.respond(Buffer.from(JSON.stringify(body)));
  }

  private fail(msg: Msg, reason: string): void {
    if (!msg.reply) return;
    const h = natsHeaders();
    h.set(ERROR_HEADER, reason);
    msg.respond(new Uint8Array(0), { headers: h });
  }
}

/** Why a start did or did not copy a peer's snapshot: `restored` into an empty database, or `installed` into one far behind. */
export type SnapshotCatchUpOutcome =
  | { readonly restored: true; readonly how: 'restored' | 'installed'; readonly from: string; readonly chosenWatermark: number; readonly bytes: number; readonly seconds: number }
  | { readonly restored: false; readonly reason: 'disabled' | 'no-peer' | 'close-enough' | 'failed'; readonly detail?: string };

/** A start found an install of a snapshot interrupted and could not finish it: the node must not run on those tables. */
export class SnapshotInstallPendingError extends Error {
  override readonly name = 'SnapshotInstallPendingError';
}

/** What the starting node needs to copy a peer's snapshot. */
export interface SnapshotCatchUpSpec {
  readonly nats: NatsConnection;
  readonly prefix: string;
  readonly cluster: string;
  readonly self: string;
  /** The peers to ask (the configured members but this node). */
  readonly peers: readonly string[];
  readonly url: string;
  readonly database: string;
  /** A peer must have chosen at least this many slots (0: never copy). */
  readonly minSlots: number;
  readonly log: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

/**
 * At a start: asks every peer how far its log goes, and when the best is at least `minSlots`
 * slots ahead of this node's chosen log, copies its snapshot (a follower's when one is as far as
 * the leader within a catch-up batch, so the leader keeps its time for writes). Into an empty
 * database it is restored as `restore` does; into a database far behind it is installed
 * (`installSnapshot`: the acceptor state, identity and queued writes stay). A copy that fails
 * before any table was touched leaves the node to catch up from the log as it would without this;
 * a failed restore drops what it loaded (the database held nothing). Only an install interrupted
 * after it emptied the tables (found at this start, or failing now) stops the start: the node
 * must not run on incomplete tables, and installs again at its next start.
 *
 * @throws SnapshotInstallPendingError in that case
 */
export async function catchUpFromPeerSnapshot(spec: SnapshotCatchUpSpec): Promise<SnapshotCatchUpOutcome> {
  const pending = await installPending(spec.url, spec.database);
  if (spec.minSlots <= 0 && !pending) return { restored: false, reason: 'disabled' };
  const target = await inspectTarget(spec.url, spec.database);
  const empty = target.tablesWithRows.length === 0;
  const own = empty ? 0 : await chosenWatermarkOf(spec);
  const offers = (await Promise.all(spec.peers.filter((p) => p !== spec.self).map((peer) => askOffer(spec, peer)))).filter((o): o is SnapshotOffer => o !== null);
  if (offers.length === 0) {
    if (pending) throw new SnapshotInstallPendingError(`an install of a peer snapshot into ${spec.database} was interrupted and no peer gave one now (no-peer): start this node again when a peer is reachable`);
    return { restored: false, reason: 'no-peer' };
  }
  const best = Math.max(...offers.map((o) => o.chosenWatermark));
  if (!pending && best - own < spec.minSlots) return { restored: false, reason: 'close-enough', detail: `this node's chosen log reaches slot ${own}, the peers' slot ${best}` };
  const source = chooseSource(offers);
  const how = empty ? 'restored' : 'installed';
  spec.log('info', `${empty ? 'empty database' : pending ? 'an interrupted install' : `chosen log at slot ${own}`} and ${source.nodeId} has chosen ${source.chosenWatermark} slots: copying its snapshot before starting`, {
    event: 'snapshot-catch-up',
    from: source.nodeId,
    chosenWatermark: source.chosenWatermark,
    own,
  });
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), `behavior-snapshot-in-${spec.self}-`));
  const subject = snapshotSubject(spec.prefix, spec.cluster, source.nodeId);
  try {
    const opened = (await requestJson(spec.nats, subject, { op: 'open' }, OPEN_TIMEOUT_MS)) as OpenedTransfer;
    const file = join(dir, 'snapshot.ndjson.gz');
    try {
      await download(spec, subject, opened, file);
    } finally {
      await requestJson(spec.nats, subject, { op: 'close', transfer: opened.transfer }, OFFER_TIMEOUT_MS).catch(() => undefined);
    }
    const into = { url: spec.url, database: spec.database, nodeId: spec.self, cluster: spec.cluster, open: snapshotFile(file) };
    const done = empty ? await restoreNode(into) : await installSnapshot(into);
    const seconds = (performance.now() - started) / 1000;
    spec.log('info', `${how} ${source.nodeId}'s snapshot up to slot ${done.chosenWatermark} (${opened.bytes} bytes) in ${seconds.toFixed(1)} s; the log follows`, {
      event: 'snapshot-catch-up-done',
      how,
      from: source.nodeId,
      chosenWatermark: done.chosenWatermark,
      bytes: opened.bytes,
      seconds,
    });
    return { restored: true, how, from: source.nodeId, chosenWatermark: done.chosenWatermark, bytes: opened.bytes, seconds };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (!empty && (await installPending(spec.url, spec.database))) {
      throw new SnapshotInstallPendingError(`the install of ${source.nodeId}'s snapshot into ${spec.database} failed part way (${detail}): start this node again to install one anew`, { cause: error });
    }
    spec.log('warn', `snapshot catch-up from ${source.nodeId} failed (catching up from the log instead): ${detail}`, { event: 'snapshot-catch-up-failed', from: source.nodeId });
    if (empty) await emptyAgain(spec);
    return { restored: false, reason: 'failed', detail };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The highest slot this node's chosen log holds (0 when none): how far behind it is, counted generously (gaps below it are not). */
async function chosenWatermarkOf(spec: SnapshotCatchUpSpec): Promise<number> {
  const connection = await createConnection({ ...parseMysqlUrl(spec.url), database: spec.database });
  try {
    const [rows] = await connection.query('SELECT COALESCE(MAX(slot), 0) AS last FROM paxos_chosen');
    return Number((rows as { last: number | string }[])[0].last);
  } finally {
    await connection.end();
  }
}

/** A follower within one catch-up batch of the furthest log, else the furthest. */
export function chooseSource(offers: readonly SnapshotOffer[]): SnapshotOffer {
  const best = Math.max(...offers.map((o) => o.chosenWatermark));
  const followers = offers.filter((o) => !o.leader && best - o.chosenWatermark <= 500).sort((a, b) => b.chosenWatermark - a.chosenWatermark);
  return followers[0] ?? offers.find((o) => o.chosenWatermark === best)!;
}

async function askOffer(spec: SnapshotCatchUpSpec, peer: string): Promise<SnapshotOffer | null> {
  try {
    const offer = (await requestJson(spec.nats, snapshotSubject(spec.prefix, spec.cluster, peer), { op: 'offer' }, OFFER_TIMEOUT_MS)) as SnapshotOffer;
    return Number.isSafeInteger(offer.chosenWatermark) && offer.nodeId === peer ? offer : null;
  } catch {
    return null;
  }
}

async function download(spec: SnapshotCatchUpSpec, subject: string, opened: OpenedTransfer, file: string): Promise<void> {
  const out = await open(file, 'wx', 0o600);
  try {
    let offset = 0;
    let reported = 0;
    while (offset < opened.bytes) {
      const reply = await spec.nats.request(subject, Buffer.from(JSON.stringify({ op: 'chunk', transfer: opened.transfer, offset })), { timeout: CHUNK_TIMEOUT_MS });
      const refused = reply.headers?.get(ERROR_HEADER);
      if (refused) throw new Error(`the peer refused chunk at ${offset}: ${refused}`);
      if (reply.data.length === 0) throw new Error(`the peer sent an empty chunk at ${offset} of ${opened.bytes}`);
      await out.write(reply.data, 0, reply.data.length, offset);
      offset += reply.data.length;
      if (offset - reported >= opened.bytes / 10 || offset === opened.bytes) {
        reported = offset;
        spec.log('info', `snapshot copy: ${offset} of ${opened.bytes} bytes`);
      }
    }
  } finally {
    await out.close();
  }
}

async function requestJson(nats: NatsConnection, subject: string, body: SnapshotRequest, timeout: number): Promise<unknown> {
  const reply = await nats.request(subject, Buffer.from(JSON.stringify(body)), { timeout });
  const refused = reply.headers?.get(ERROR_HEADER);
  if (refused) throw new Error(`the peer refused ${body.op}: ${refused}`);
  return JSON.parse(Buffer.from(reply.data).toString('utf8'));
}

/** A failed restore into the database that was empty: drop what it loaded, so the start goes on as from nothing. */
async function emptyAgain(spec: SnapshotCatchUpSpec): Promise<void> {
  const target = await inspectTarget(spec.url, spec.database).catch(() => null);
  if (target === null || !target.exists || target.tablesWithRows.length === 0) return;
  const connection = await createConnection({ ...parseMysqlUrl(spec.url), database: undefined });
  try {
    await connection.query(dropDatabaseSql(spec.database));
  } finally {
    await connection.end();
  }
}
