import { type Kysely, sql } from 'kysely';
import type { ReadModelDatabase } from '../read-model-database';
import { type StudentView, studentView } from '../students/students-repository';
import { integerFromSql, rowFromSql, sqlDatetime } from '../sql-values';

/** Students near the bounds the start page lists at most. */
export const NEAR_BOUNDS_MAX = 50;
/** Days a class's daily series covers at most. */
export const DAILY_DAYS_MAX = 366;
/** Points of a student's score history at most (one per day it changed). */
export const SCORE_HISTORY_MAX = 2000;

/** One class's average now. */
export interface ClassAverage {
  readonly className: string;
  readonly students: number;
  readonly averageScore: number;
}

/** The admin start page's figures. */
export interface StatsOverview {
  readonly pendingReviews: number;
  /** Score changes since 00:00 UTC today. */
  readonly todayChanges: number;
  readonly classes: ClassAverage[];
  /** Active students within `margin` of either end of the range, nearest first. */
  readonly nearBounds: StudentView[];
  readonly scoreRange: { readonly min: number; readonly max: number };
  readonly margin: number;
}

/** One day of a class: its changes and its students' average at the end of the day. */
export interface ClassDay {
  /** `YYYY-MM-DD` (UTC). */
  readonly day: string;
  readonly changes: number;
  readonly deltaSum: number;
  /** null when no student of the class existed yet that day. */
  readonly averageScore: number | null;
}

/** A student's score at the end of a day on which it changed. */
export interface ScorePoint {
  readonly day: string;
  readonly score: number;
}

/** Reads behind the start page and the charts (students, score_records, applications, student_daily_scores). */
export class StatsRepository {
  constructor(private readonly db: Kysely<ReadModelDatabase>) {}

  /** The start page: pending reviews, today's changes, each class's average, students near the bounds. */
  async overview(todayStart: string, range: { min: number; max: number }): Promise<StatsOverview> {
    const margin = Math.max(1, Math.round((range.max - range.min) / 10));
    const [pending, today, classes, near] = await Promise.all([
      this.db.selectFrom('applications').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow(),
      this.db.selectFrom('score_records').select((eb) => eb.fn.countAll().as('n')).where('at', '>=', datetime(todayStart)).executeTakeFirstOrThrow(),
      this.db
        .selectFrom('students')
        .select(['class_name', (eb) => eb.fn.countAll().as('n'), (eb) => eb.fn.avg('score').as('average')])
        .where('archived', '=', 0 as never)
        .groupBy('class_name')
        .orderBy('class_name')
        .execute(),
      this.db
        .selectFrom('students')
        .selectAll()
        .where('archived', '=', 0 as never)
        .where((eb) => eb.or([eb('score', '<=', range.min + margin), eb('score', '>=', range.max - margin)]))
        .orderBy(sql`LEAST(score - ${range.min}, ${range.max} - score)`)
        .orderBy('student_id')
        .limit(NEAR_BOUNDS_MAX)
        .execute(),
    ]);
    return {
      pendingReviews: integerFromSql(pending.n as number),
      todayChanges: integerFromSql(today.n as number),
      classes: classes.map((c) => ({ className: c.class_name, students: integerFromSql(c.n as number), averageScore: Math.round(Number(c.average) * 100) / 100 })),
      nearBounds: near.map((row) => studentView(rowFromSql('students', row))),
      scoreRange: { min: range.min, max: range.max },
      margin,
    };
  }

  /**
   * A class's last `days` days up to `lastDay` (inclusive): the changes and their sum from
   * `score_records`, the end-of-day average from `student_daily_scores` (a day without a change
   * carries each student's score over). Counts its current students.
   */
  async classDaily(className: string, lastDay: string, days: number): Promise<ClassDay[]> {
    const dayList = daysUpTo(lastDay, Math.min(Math.max(1, days), DAILY_DAYS_MAX));
    const first = dayList[0];
    // No LIMIT: MariaDB takes none in an IN subquery; a class is a school's class, not a crowd.
    const students = this.db.selectFrom('students').select('student_id').where('class_name', '=', className);
    const [changes, points] = await Promise.all([
      this.db
        .selectFrom('score_records')
        .select([sql<string>`DATE_FORMAT(at, '%Y-%m-%d')`.as('day'), (eb) => eb.fn.countAll().as('n'), (eb) => eb.fn.sum('delta').as('total')])
        .where('student_id', 'in', students)
        .where('at', '>=', datetime(`${first}T00:00:00.000Z`))
        .where('at', '<', datetime(`${nextDay(lastDay)}T00:00:00.000Z`))
        .groupBy(sql`DATE_FORMAT(at, '%Y-%m-%d')`)
        .execute(),
      this.db
        .selectFrom('student_daily_scores')
        .select(['student_id', 'day', 'score'])
        .where('student_id', 'in', students)
        .where('day', '<=', lastDay)
        .orderBy('day')
        .execute(),
    ]);
    const byDay = new Map(changes.map((c) => [c.day, { changes: integerFromSql(c.n as number), deltaSum: integerFromSql((c.total ?? 0) as number) }]));
    return foldClassDays(dayList, points.map((p) => ({ studentId: p.student_id, day: p.day, score: integerFromSql(p.score) })), byDay);
  }

  /** A student's end-of-day scores, oldest first (at most SCORE_HISTORY_MAX, the newest kept). */
  async scoreHistory(studentId: string): Promise<ScorePoint[]> {
    const rows = await this.db
      .selectFrom('student_daily_scores')
      .select(['day', 'score'])
      .where('student_id', '=', studentId)
      .orderBy('day', 'desc')
      .limit(SCORE_HISTORY_MAX)
      .execute();
    return rows.reverse().map((r) => ({ day: r.day, score: integerFromSql(r.score) }));
  }
}

/**
 * The daily series of a class (pure): each day's changes from `byDay`, and the average of every
 * student's latest score on or before the day (`points` sorted by day).
 *
 * @example foldClassDays(['2025-03-01'], [{ studentId: 's-1', day: '2025-02-27', score: 100 }], new Map()) // [{ day: '2025-03-01', changes: 0, deltaSum: 0, averageScore: 100 }]
 */
export function foldClassDays(
  dayList: readonly string[],
  points: readonly { studentId: string; day: string; score: number }[],
  byDay: ReadonlyMap<string, { changes: number; deltaSum: number }>,
): ClassDay[] {
  const latest = new Map<string, number>();
  let next = 0;
  return dayList.map((day) => {
    while (next < points.length && points[next].day <= day) {
      latest.set(points[next].studentId, points[next].score);
      next += 1;
    }
    let sum = 0;
    for (const score of latest.values()) sum += score;
    const counts = byDay.get(day) ?? { changes: 0, deltaSum: 0 };
    return { day, ...counts, averageScore: latest.size === 0 ? null : Math.round((sum / latest.size) * 100) / 100 };
  });
}

/** The `count` UTC days ending with `lastDay`, oldest first. */
export function daysUpTo(lastDay: string, count: number): string[] {
  const end = Date.parse(`${lastDay}T00:00:00.000Z`);
  return Array.from({ length: count }, (_, i) => new Date(end - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

/** An ISO time as a DATETIME(3) parameter. */
function datetime(iso: string) {
  return sql<Date>`${sqlDatetime(iso)}`;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
}
