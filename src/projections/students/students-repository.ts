import type { Kysely } from 'kysely';
import { type Page, type PageRequest, pageWindow } from '../paging';
import type { ReadModelDatabase } from '../read-model-database';
import type { StudentRow } from '../read-model-tables';
import { rowFromSql } from '../sql-values';

/** A student as reads return it (GET /api/students/:studentId). */
export interface StudentView {
  readonly studentId: string;
  readonly name: string;
  readonly className: string;
  readonly score: number;
  readonly initialScore: number;
  readonly frozen: boolean;
  readonly archived: boolean;
  /** When the student last changed (ISO-8601 UTC). */
  readonly updatedAt: string;
  /** The log position of that change. */
  readonly position: number;
}

/** Filters of GET /api/students. */
export interface StudentListRequest extends PageRequest {
  readonly className?: string;
}

/** Reads of the `students` read model. */
export class StudentsRepository {
  constructor(private readonly db: Kysely<ReadModelDatabase>) {}

  /** Up to `limit` students after `afterId` by id, optionally of one class (keyset pages for exports). */
  async studentsAfter(className: string | undefined, afterId: string, limit: number): Promise<StudentView[]> {
    let query = this.db.selectFrom('students').selectAll().where('student_id', '>', afterId);
    if (className !== undefined) query = query.where('class_name', '=', className);
    const rows = await query.orderBy('student_id').limit(limit).execute();
    return rows.map((r) => studentView(rowFromSql('students', r)));
  }

  /** One student, or undefined when no such student was registered. */
  async getStudent(studentId: string): Promise<StudentView | undefined> {
    const row = await this.db.selectFrom('students').selectAll().where('student_id', '=', studentId).executeTakeFirst();
    return row === undefined ? undefined : studentView(rowFromSql('students', row));
  }

  /** Students by id, optionally of one class, one page of them. */
  async listStudents(request: StudentListRequest = {}): Promise<Page<StudentView>> {
    const { page, pageSize, offset } = pageWindow(request);
    let query = this.db.selectFrom('students');
    if (request.className !== undefined) query = query.where('class_name', '=', request.className);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('student_id').limit(pageSize).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map((r) => studentView(rowFromSql('students', r))),
      page,
      pageSize,
      total: Number(count.total),
    };
  }
}

/** The API shape of a students row. */
export function studentView(row: StudentRow): StudentView {
  return {
    studentId: row.student_id,
    name: row.name,
    className: row.class_name,
    score: row.score,
    initialScore: row.initial_score,
    frozen: row.frozen,
    archived: row.archived,
    updatedAt: row.updated_at,
    position: row.position,
  };
}
