import { Controller, Get, Header, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CSV_BOM, csvLine } from '../../api/csv';
import type { Actor } from '../../domain';
import { CurrentActor } from '../auth/current-actor.decorator';
import { Roles } from '../auth/roles.decorator';
import { EXPORT_READS, type ExportReads, STUDENTS_REPOSITORY, type StudentsReads } from '../common/tokens';
import { STAFF_ROLES, assertMayReadStudent, studentNotFound } from '../../api/student-access';
import { StudentIdParams } from '../../api/students.dto';
import { StudentsCsvQueryDto } from './stats.dto';

/** Rows read from the read models per query while streaming an export. */
export const EXPORT_PAGE_ROWS = 500;

const STUDENT_COLUMNS = ['studentId', 'name', 'className', 'score', 'initialScore', 'frozen', 'archived', 'updatedAt'];
const RECORD_COLUMNS = ['position', 'at', 'delta', 'newScore', 'reason', 'reasonCode', 'source', 'actor', 'actorRole', 'applicationId', 'sagaId'];

/** CSV exports (UTF-8 with BOM, RFC 4180, formula cells defused), streamed page by page from the read models. */
@ApiTags('exports')
@Controller('api')
export class ExportsController {
  constructor(
    @Inject(EXPORT_READS) private readonly reads: ExportReads,
    @Inject(STUDENTS_REPOSITORY) private readonly students: StudentsReads,
  ) {}

  @Get('students.csv')
  @Roles(...STAFF_ROLES)
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({ summary: "Students (optionally one class's) with their scores, as CSV" })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV, UTF-8 with BOM', schema: { type: 'string' } })
  async studentsCsv(@Query() { className }: StudentsCsvQueryDto, @Res() res: Response): Promise<void> {
    res.setHeader('Content-Disposition', `attachment; filename="${fileName(className === undefined ? 'students' : `students-${className}`)}.csv"`);
    await stream(res, STUDENT_COLUMNS, async (after: string) => {
      const page = await this.reads.studentsAfter(className, after, EXPORT_PAGE_ROWS);
      return { next: page.at(-1)?.studentId, lines: page.map((s) => [s.studentId, s.name, s.className, s.score, s.initialScore, s.frozen, s.archived, s.updatedAt]) };
    }, '');
  }

  @Get('students/:studentId/records.csv')
  @Roles(...STAFF_ROLES, 'student')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({ summary: "A student's score changes, oldest first, as CSV: staff, or that student" })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV, UTF-8 with BOM', schema: { type: 'string' } })
  async recordsCsv(@Param() { studentId }: StudentIdParams, @CurrentActor() actor: Actor, @Res() res: Response): Promise<void> {
    assertMayReadStudent(actor, studentId);
    if ((await this.students.getStudent(studentId)) === undefined) throw studentNotFound(studentId);
    res.setHeader('Content-Disposition', `attachment; filename="${fileName(`records-${studentId}`)}.csv"`);
    await stream(res, RECORD_COLUMNS, async (after: number) => {
      const page = await this.reads.recordsAfter(studentId, after, EXPORT_PAGE_ROWS);
      return {
        next: page.at(-1)?.position,
        lines: page.map((r) => [r.position, r.at, r.delta, r.newScore, r.reason, r.reasonCode, r.source, r.actor.username, r.actor.role, r.applicationId, r.sagaId]),
      };
    }, 0);
  }
}

/**
 * Writes the BOM and the header, then page after page until a short page, waiting for the socket
 * to drain between pages (a slow client holds one page in memory, not the export).
 */
async function stream<K>(
  res: Response,
  columns: readonly string[],
  pageAfter: (after: K) => Promise<{ next: K | undefined; lines: (string | number | boolean | null)[][] }>,
  start: K,
): Promise<void> {
  res.status(200);
  res.write(CSV_BOM + csvLine(columns));
  let after = start;
  for (;;) {
    const { next, lines } = await pageAfter(after);
    const ok = res.write(lines.map(csvLine).join(''));
    if (next === undefined || lines.length < EXPORT_PAGE_ROWS || res.destroyed) break;
    after = next;
    if (!ok) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

/** A file name safe in a quoted Content-Disposition. */
function fileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
