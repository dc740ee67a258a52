import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { readChosenWatermark } from './chosen-watermark';
import type { Database } from './database';

/** How this start found the storage. */
export type IdentityOutcome =
  /** A new database, and no guard file: a node that never ran here. */
  | 'new'
  /** The same storage as at the last start. */
  | 'same'
  /** Storage written before incarnations: it gets one now and keeps its acceptor state. */
  | 'upgraded'
  /** A new database where the guard file names an earlier one: the disk or database was lost. */
  | 'lost'
  /** The database's epoch is behind the guard file's: it was restored from an older backup. */
  | 'rolled-back';

/** The storage's identity after this start. */
export interface NodeIdentity {
  readonly incarnation: string;
  readonly epoch: number;
  readonly outcome: IdentityOutcome;
  /** For `lost` and `rolled-back`: the incarnation the storage had before. */
  readonly previousIncarnation?: string;
}

interface GuardFile {
  readonly cluster: string;
  readonly nodeId: string;
  readonly incarnation: string;
  readonly epoch: number;
}

/** The guard file's path: one per cluster and node. */
export function guardFilePath(dir: string, cluster: string, nodeId: string): string {
  return join(dir, `${cluster}-${nodeId}.json`);
}

/**
 * Reads (or creates) the storage's identity and bumps its epoch, in the database and then in
 * the guard file beside the node. A database whose epoch is behind the guard file's was
 * restored from a backup taken before the last bump: its promises and accepts may be older than
 * what this node answered, so they are dropped and the storage takes a new incarnation (the
 * chosen log and read models are kept: they are a valid prefix). A new database where the guard
 * file names another incarnation was lost. Either way the node then votes on nothing until the
 * operator adds it again under the new incarnation (`cluster:add-node` or `cluster:replace-node`).
 */
export async function openNodeIdentity(db: Kysely<Database>, guardFile: string, cluster: string, nodeId: string): Promise<NodeIdentity> {
  const guard = await readGuard(guardFile, cluster, nodeId);
  const identity = await db.transaction().execute(async (trx): Promise<NodeIdentity> => {
    const row = await trx.selectFrom('node_identity').selectAll().where('id', '=', 1).forUpdate().executeTakeFirst();
    if (row === undefined) {
      const incarnation = newIncarnation();
      const promise = await trx.selectFrom('paxos_promise').select('id').executeTakeFirst();
      const chosen = await trx.selectFrom('paxos_chosen').select('slot').limit(1).executeTakeFirst();
      const hasState = promise !== undefined || chosen !== undefined;
      await trx.insertInto('node_identity').values({ id: 1, node_id: nodeId, incarnation, epoch: 1, created_at: new Date() }).execute();
      if (hasState) return { incarnation, epoch: 1, outcome: 'upgraded' };
      if (guard !== null) return { incarnation, epoch: 1, outcome: 'lost', previousIncarnation: guard.incarnation };
      return { incarnation, epoch: 1, outcome: 'new' };
    }
    const epoch = Number(row.epoch);
    if (guard !== null && guard.incarnation === row.incarnation && epoch < guard.epoch) {
      const incarnation = newIncarnation();
      await trx.deleteFrom('paxos_promise').execute();
      // The rows at or below the chosen watermark are the chosen log, kept; the rest are accepts.
      await trx.deleteFrom('paxos_accepted').where('slot', '>', await readChosenWatermark(trx)).execute();
      await trx.updateTable('node_identity').set({ incarnation, epoch: guard.epoch + 1 }).where('id', '=', 1).execute();
      return { incarnation, epoch: guard.epoch + 1, outcome: 'rolled-back', previousIncarnation: row.incarnation };
    }
    const next = Math.max(epoch, guard?.incarnation === row.incarnation ? guard.epoch : 0) + 1;
    await trx.updateTable('node_identity').set({ epoch: next }).where('id', '=', 1).execute();
    return { incarnation: row.incarnation, epoch: next, outcome: 'same' };
  });
  await writeGuard(guardFile, { cluster, nodeId, incarnation: identity.incarnation, epoch: identity.epoch });
  return identity;
}

/**
 * Bumps the epoch (database first, then the guard file), so that a backup taken before now is
 * recognised if it is ever restored under this node. Runs every few seconds.
 */
export async function bumpEpoch(db: Kysely<Database>, guardFile: string, cluster: string, nodeId: string, incarnation: string): Promise<number> {
  await sql`UPDATE node_identity SET epoch = epoch + 1 WHERE id = 1 AND incarnation = ${incarnation}`.execute(db);
  const row = await db.selectFrom('node_identity').select(['epoch', 'incarnation']).where('id', '=', 1).executeTakeFirstOrThrow();
  const epoch = Number(row.epoch);
  if (row.incarnation === incarnation) await writeGuard(guardFile, { cluster, nodeId, incarnation, epoch });
  return epoch;
}

/** A new incarnation: 128 random bits. */
export function newIncarnation(): string {
  return randomBytes(16).toString('base64url');
}

async function readGuard(path: string, cluster: string, nodeId: string): Promise<GuardFile | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<GuardFile>;
  if (parsed.cluster !== cluster || parsed.nodeId !== nodeId || typeof parsed.incarnation !== 'string' || typeof parsed.epoch !== 'number') {
    throw new Error(`guard file ${path} is not this node's (${cluster}/${nodeId}): move it away if the node was moved on purpose`);
  }
  return parsed as GuardFile;
}

/** Writes the guard file durably: a temporary file, fsynced, renamed over the old one. */
async function writeGuard(path: string, guard: GuardFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(guard)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}
