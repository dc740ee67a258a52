import type { Kysely } from 'kysely';
import type { ApplicationStatus } from '../../domain';
import { type Page, type PageRequest, pageWindow } from '../paging';
import type { ReadModelDatabase } from '../read-model-database';
import type { ApplicationRow } from '../read-model-tables';
import { rowFromSql } from '../sql-values';

/** An application as reads return it (GET /api/applications/:id). */
export interface ApplicationView {
  readonly applicationId: string;
  readonly studentId: string;
  readonly delta: number;
  readonly reason: string;
  /** The submitter's username. */
  readonly submittedBy: string;
  readonly status: ApplicationStatus;
  /** The reviewing admin's username; null while pending. */
  readonly reviewer: string | null;
  /** The review's comment; null while pending. */
  readonly comment: string | null;
  readonly submittedAt: string | null;
  readonly reviewedAt: string | null;
  /** The log position of the application's last change. */
  readonly position: number;
  /** The catalogue reason the application named, else null. */
  readonly reasonCode: string | null;
}

/** Filters of GET /api/applications: `submittedBy` restricts teachers and clubs to their own. */
export interface ApplicationListRequest extends PageRequest {
  readonly status?: ApplicationStatus;
  readonly submittedBy?: string;
}

/** Reads of the `applications` read model. */
export class ApplicationsRepository {
  constructor(private readonly db: Kysely<ReadModelDatabase>) {}

  /** One application, or undefined. */
  async getApplication(applicationId: string): Promise<ApplicationView | undefined> {
    const row = await this.db
      .selectFrom('applications')
      .selectAll()
      .where('application_id', '=', applicationId)
      .executeTakeFirst();
    return row === undefined ? undefined : applicationView(rowFromSql('applications', row));
  }

  /** Applications, newest submission first, optionally of one status and/or submitter, one page of them. */
  async listApplications(request: ApplicationListRequest = {}): Promise<Page<ApplicationView>> {
    const { page, pageSize, offset } = pageWindow(request);
    let query = this.db.selectFrom('applications');
    if (request.status !== undefined) query = query.where('status', '=', request.status);
    if (request.submittedBy !== undefined) query = query.where('submitted_by', '=', request.submittedBy);
    const [rows, count] = await Promise.all([
      query
        .selectAll()
        .orderBy('submitted_position', 'desc')
        .orderBy('application_id', 'desc')
        .limit(pageSize)
        .offset(offset)
        .execute(),
      query.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map((r) => applicationView(rowFromSql('applications', r))),
      page,
      pageSize,
      total: Number(count.total),
    };
  }
}

/** The API shape of an applications row. */
export function applicationView(row: ApplicationRow): ApplicationView {
  return {
    applicationId: row.application_id,
    studentId: row.student_id,
    delta: row.delta,
    reason: row.reason,
    submittedBy: row.submitted_by,
    status: row.status,
    reviewer: row.reviewer,
    comment: row.comment,
    submittedAt: row.submitted_at,
    reviewedAt: row.reviewed_at,
    position: row.position,
    reasonCode: row.reason_code,
  };
}
