import type { Kysely } from 'kysely';
import type { ActorRef, Role, ScoreSource } from '../../domain';
import { type Page, type PageRequest, pageWindow } from '../paging';
import type { ReadModelDatabase } from '../read-model-database';
import type { ScoreRecordRow } from '../read-model-tables';
import { rowFromSql } from '../sql-values';

/** One score change as reads return it (GET /api/students/:studentId/records). */
export interface ScoreRecordView {
  /** The log position of the change; records sort by it. */
  readonly position: number;
  readonly studentId: string;
  readonly delta: number;
  readonly reason: string;
  readonly actor: ActorRef;
  readonly source: ScoreSource;
  readonly newScore: number;
  /** The saga that made the change (batch, compensation, archive reset), else null. */
  readonly sagaId: string | null;
  /** The approved application that made the change, else null. */
  readonly applicationId: string | null;
  readonly at: string;
  /** The catalogue reason the change named, else null. */
  readonly reasonCode: string | null;
}

/** Reads of the `score_records` read model. */
export class ScoreRecordsRepository {
  constructor(private readonly db: Kysely<ReadModelDatabase>) {}

  /** Up to `limit` of a student's score changes after position `after`, oldest first (keyset pages for exports). */
  async recordsAfter(studentId: string, after: number, limit: number): Promise<ScoreRecordView[]> {
    const rows = await this.db
      .selectFrom('score_records')
      .selectAll()
      .where('student_id', '=', studentId)
      .where('position', '>', after)
      .orderBy('position')
      .limit(limit)
      .execute();
    return rows.map((r) => scoreRecordView(rowFromSql('score_records', r)));
  }

  /** A student's score history, newest first, one page of it (empty for an unknown student). */
  async listRecords(studentId: string, request: PageRequest = {}): Promise<Page<ScoreRecordView>> {
    const { page, pageSize, offset } = pageWindow(request);
    const query = this.db.selectFrom('score_records').where('student_id', '=', studentId);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('position', 'desc').limit(pageSize).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map((r) => scoreRecordView(rowFromSql('score_records', r))),
      page,
      pageSize,
      total: Number(count.total),
    };
  }
}

/** The API shape of a score_records row. */
export function scoreRecordView(row: ScoreRecordRow): ScoreRecordView {
  return {
    position: row.position,
    studentId: row.student_id,
    delta: row.delta,
    reason: row.reason,
    actor: { username: row.actor, role: row.actor_role as Role },
    source: row.source as ScoreSource,
    newScore: row.new_score,
    sagaId: row.saga_id,
    applicationId: row.application_id,
    at: row.at,
    reasonCode: row.reason_code,
  };
}
