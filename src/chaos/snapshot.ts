import { sql } from 'kysely';
import { pollUntil } from '../bench/poll';
import { clusterStatusOf } from '../cluster/node-process';
import { createKysely } from '../infra/mysql/database';
import { verifyLogs, type LogVerification } from '../infra/mysql/log-verify';
import { dumpReadModels } from '../projections/read-model-dump';
import { readModelDb } from '../projections/read-model-database';
import { loadCheckpoint, readCheckpointTimeZone } from '../projections/checkpoint-store';
import { READ_MODELS } from '../projections/read-models';
import { type ChaosCluster, databaseOf } from './chaos-cluster';
import type { LogRow, NodeSnapshot } from './checker';

interface StatusView {
  chosenSlot: number;
  appliedSlot: number;
  logPosition: number;
  projections: { name: string; position: number; lag: number }[];
}

/**
 * Waits until every one of `members` (node ids; the final configuration's) has applied the same
 * slot (the highest chosen), holds the same log head, and its projections caught up, twice in a
 * row; false when that does not happen in `timeoutMs` (or a member runs on no host).
 */
export async function waitForConvergence(cluster: ChaosCluster, members: readonly string[], timeoutMs: number): Promise<{ converged: boolean; last: string }> {
  let previous = '';
  let last = '';
  const statusOf = (id: string): Promise<Record<string, unknown> | null> => {
    const host = cluster.hosts.find((h) => h.nodeId === id);
    return host ? clusterStatusOf(host.httpPort) : Promise.resolve(null);
  };
  try {
    await pollUntil('convergence', async () => {
      const statuses = (await Promise.all(members.map(statusOf))) as (StatusView | null)[];
      last = statuses.map((s, i) => (s ? `${members[i]}: chosen ${s.chosenSlot} applied ${s.appliedSlot} head ${s.logPosition} lag ${Math.max(0, ...s.projections.map((p) => p.lag))}` : `${members[i]}: no answer`)).join('; ');
      if (statuses.length === 0 || statuses.some((s) => s === null)) return false;
      const all = statuses as StatusView[];
      const chosen = Math.max(...all.map((s) => s.chosenSlot));
      const same = all.every((s) => s.appliedSlot === chosen && s.logPosition === all[0].logPosition && s.projections.every((p) => p.position >= s.logPosition));
      const key = `${chosen}/${all[0].logPosition}`;
      const stable = same && key === previous;
      previous = same ? key : '';
      return stable;
    }, { timeoutMs, everyMs: 500, attemptsMax: timeoutMs / 500 + 2 });
    return { converged: true, last };
  } catch {
    return { converged: false, last };
  }
}

/** Reads each of `members`' log, read models and checkpoint, and runs `log:verify` over the copies. */
export async function takeSnapshots(cluster: ChaosCluster, members: readonly string[]): Promise<{ nodes: NodeSnapshot[]; logVerify: LogVerification }> {
  const dbs = members.map((id) => ({ nodeId: id, db: createKysely(cluster.hostOf(id).mariadb.url, databaseOf(id), 2) }));
  try {
    const nodes: NodeSnapshot[] = [];
    for (const { nodeId, db } of dbs) {
      const { rows } = await sql<{ position: number; slot: number; command_id: string; stream_type: string; stream_id: string; type: string; schema_version: number; data: string }>`
        SELECT position, slot, command_id, stream_type, stream_id, type, schema_version, data FROM event_log ORDER BY position`.execute(db);
      const log: LogRow[] = rows.map((r) => ({
        position: Number(r.position), slot: Number(r.slot), commandId: r.command_id, streamType: r.stream_type,
        streamId: r.stream_id, type: r.type, schemaVersion: Number(r.schema_version), data: r.data,
      }));
      const readDb = readModelDb(db);
      const checkpoint = await loadCheckpoint(readDb, READ_MODELS.name);
      nodes.push({ nodeId, log, readModels: await dumpReadModels(readDb), checkpoint, timeZone: await readCheckpointTimeZone(readDb, READ_MODELS.name) });
    }
    const logVerify = await verifyLogs(dbs);
    return { nodes, logVerify };
  } finally {
    await Promise.allSettled(dbs.map(({ db }) => db.destroy()));
  }
}
