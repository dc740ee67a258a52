import type { Kysely } from 'kysely';
import { type Page, type PageRequest, pageWindow, countUpToPageRowsMax } from '../paging';
import type { ReadModelDatabase } from '../read-model-database';
import { integerFromSql, isoFromSql } from '../sql-values';

/** A completed archive as reads return it (GET /api/archives). */
export interface ArchiveView {
  readonly archiveId: string;
  readonly semester: string;
  readonly className: string | null;
  readonly studentCount: number;
  readonly completedAt: string;
  readonly position: number;
}

/** One student's archived snapshot (GET /api/archives/:semester/students/:studentId). */
export interface ArchivedStudentView {
  readonly archiveId: string;
  readonly semester: string;
  readonly studentId: string;
  readonly name: string;
  readonly className: string;
  readonly score: number;
  readonly position: number;
}

/** Reads of the archive read models: only completed archives are shown (a running or discarded one never). */
export class ArchivesRepository {
  constructor(private readonly db: Kysely<ReadModelDatabase>) {}

  /** Completed archives, newest first, optionally of one semester. */
  async listArchives(request: PageRequest & { semester?: string } = {}): Promise<Page<ArchiveView>> {
    const { page, pageSize, offset } = pageWindow(request);
    let query = this.db.selectFrom('archives').where('status', '=', 'completed');
    if (request.semester !== undefined) query = query.where('semester', '=', request.semester);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('position', 'desc').limit(pageSize).offset(offset).execute(),
      countUpToPageRowsMax(this.db, query),
    ]);
    const items = rows.map((r) => ({
      archiveId: r.archive_id,
      semester: r.semester,
      className: r.class_name,
      studentCount: integerFromSql(r.student_count),
      completedAt: isoFromSql(r.updated_at),
      position: integerFromSql(r.position),
    }));
    return { items, page, pageSize, ...count };
  }

  /** A student's snapshot in the latest completed archive of `semester`, or undefined. */
  async getArchivedStudent(semester: string, studentId: string): Promise<ArchivedStudentView | undefined> {
    const row = await this.db
      .selectFrom('archive_students as s')
      .innerJoin('archives as a', 'a.archive_id', 's.archive_id')
      .select(['s.archive_id', 's.semester', 's.student_id', 's.name', 's.class_name', 's.score', 'a.position'])
      .where('s.semester', '=', semester)
      .where('s.student_id', '=', studentId)
      .where('a.status', '=', 'completed')
      .orderBy('a.position', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      archiveId: row.archive_id,
      semester: row.semester,
      studentId: row.student_id,
      name: row.name,
      className: row.class_name,
      score: integerFromSql(row.score),
      position: integerFromSql(row.position),
    };
  }
}
