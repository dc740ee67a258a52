import { type Kysely, sql } from 'kysely';
import type { AggregateSnapshot, AggregateSource, LoggedEvent } from '../../application/aggregate-store';
import type { Database } from './database';
import { executePrepared } from './prepared-statements';

/** Snapshots per INSERT (5 columns each). */
const WRITE_ROWS = 1000;

/** The aggregate store's reads of `event_log` and its snapshots, over the node's consensus pool. */
export class MysqlAggregateSource implements AggregateSource {
  constructor(private readonly db: Kysely<Database>) {}

  async eventsAfter(after: number, streamTypes: readonly string[], limit: number): Promise<LoggedEvent[]> {
    const rows = await this.db
      .selectFrom('event_log')
      .select(['position', 'stream_type', 'stream_id', 'stream_version', 'type', 'schema_version', 'data'])
      .where('position', '>', after)
      .where('stream_type', 'in', [...streamTypes])
      .orderBy('position')
      .limit(limit)
      .execute();
    return rows.map(numeric);
  }

  async streamEvents(streamTypes: readonly string[], ids: readonly string[], after: number, upTo: number): Promise<LoggedEvent[]> {
    if (ids.length === 0) return [];
    // The unique (stream_type, stream_id, stream_version) index finds each stream's rows.
    const rows = await this.db
      .selectFrom('event_log')
      .select(['position', 'stream_type', 'stream_id', 'stream_version', 'type', 'schema_version', 'data'])
      .where('stream_type', 'in', [...streamTypes])
      .where('stream_id', 'in', [...ids])
      .where('position', '>', after)
      .where('position', '<=', upTo)
      .orderBy('position')
      .execute();
    return rows.map(numeric);
  }

  async checkpoint(): Promise<number> {
    const row = await this.db.selectFrom('aggregate_checkpoint').select('position').where('id', '=', 1).executeTakeFirst();
    return Number(row?.position ?? 0);
  }

  async hotSnapshots(after: { kind: string; id: string } | null, limit: number): Promise<AggregateSnapshot[]> {
    let query = this.db.selectFrom('aggregate_snapshots').select(['kind', 'aggregate_id', 'position', 'cold', 'state']).where('cold', '=', false);
    if (after) query = query.where((eb) => eb.or([eb('kind', '>', after.kind), eb.and([eb('kind', '=', after.kind), eb('aggregate_id', '>', after.id)])]));
    const rows = await query.orderBy('kind').orderBy('aggregate_id').limit(limit).execute();
    return rows.map(snapshotOf);
  }

  async snapshots(kind: string, ids: readonly string[]): Promise<AggregateSnapshot[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('aggregate_snapshots')
      .select(['kind', 'aggregate_id', 'position', 'cold', 'state'])
      .where('kind', '=', kind)
      .where('aggregate_id', 'in', [...ids])
      .execute();
    return rows.map(snapshotOf);
  }

  async saveCheckpoint(snapshots: readonly AggregateSnapshot[], position: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < snapshots.length; i += WRITE_ROWS) {
        const rows = snapshots.slice(i, i + WRITE_ROWS).map((s) => ({ kind: s.kind, aggregate_id: s.id, position: s.position, cold: s.cold, state: s.state }));
        await executePrepared(
          trx,
          trx
            .insertInto('aggregate_snapshots')
            .values(rows)
            .onDuplicateKeyUpdate({ position: sql`VALUES(position)`, cold: sql`VALUES(cold)`, state: sql`VALUES(state)` }),
        );
      }
      await executePrepared(
        trx,
        trx
          .insertInto('aggregate_checkpoint')
          .values({ id: 1, position })
          .onDuplicateKeyUpdate({ position: sql`GREATEST(position, VALUES(position))` }),
      );
    });
  }

  async chosenHead(): Promise<number> {
    const head = await this.db.selectFrom('paxos_chosen').select((eb) => eb.fn.max('slot').as('slot')).executeTakeFirst();
    return Number(head?.slot ?? 0);
  }
}

function numeric(row: LoggedEvent): LoggedEvent {
  return { ...row, position: Number(row.position), stream_version: Number(row.stream_version) };
}

function snapshotOf(row: { kind: string; aggregate_id: string; position: number; cold: boolean | number; state: string }): AggregateSnapshot {
  return { kind: row.kind, id: row.aggregate_id, position: Number(row.position), cold: Boolean(row.cold), state: row.state };
}
