import type { Kysely } from 'kysely';
import type { ReasonPolarity } from '../../domain';
import type { ReadModelDatabase } from '../read-model-database';
import type { ReasonRow } from '../read-model-tables';
import { rowFromSql } from '../sql-values';

/** A catalogue reason as reads return it (GET /api/reasons). */
export interface ReasonView {
  readonly code: string;
  readonly labelZh: string;
  readonly labelEn: string;
  readonly defaultDelta: number;
  readonly polarity: ReasonPolarity;
  readonly active: boolean;
  readonly updatedAt: string;
  readonly position: number;
}

/** The catalogue holds at most this many reasons in one answer (it is a school's list, not a log). */
export const REASONS_LIST_MAX = 1000;

/** Reads of the `reasons` read model. */
export class ReasonsRepository {
  constructor(private readonly db: Kysely<ReadModelDatabase>) {}

  /** Every reason (only the active ones when `activeOnly`), by code; at most REASONS_LIST_MAX. */
  async listReasons(activeOnly = false): Promise<ReasonView[]> {
    let query = this.db.selectFrom('reasons').selectAll();
    if (activeOnly) query = query.where('active', '=', 1);
    const rows = await query.orderBy('code').limit(REASONS_LIST_MAX).execute();
    return rows.map((row) => reasonView(rowFromSql('reasons', row)));
  }

  /** One reason, or undefined. */
  async getReason(code: string): Promise<ReasonView | undefined> {
    const row = await this.db.selectFrom('reasons').selectAll().where('code', '=', code).executeTakeFirst();
    return row === undefined ? undefined : reasonView(rowFromSql('reasons', row));
  }
}

/** The API shape of a reasons row. */
export function reasonView(row: ReasonRow): ReasonView {
  return {
    code: row.code,
    labelZh: row.label_zh,
    labelEn: row.label_en,
    defaultDelta: row.default_delta,
    polarity: row.polarity as ReasonPolarity,
    active: row.active,
    updatedAt: row.updated_at,
    position: row.position,
  };
}
