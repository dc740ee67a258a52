import { type Kysely, sql } from 'kysely';
import type { ReadModelDatabase } from '../read-model-database';
import { type StudentView, studentView } from '../students/students-repository';
import { integerFromSql, rowFromSql, sqlDatetime } from '../sql-values';
import { DEFAULT_SCHOOL_TIME_ZONE, type SchoolDays, addDays, schoolDays } from '../../shared/school-days';

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
  /** Score changes since today's local midnight in the school's time zone. */
  readonly todayChanges: number;
  readonly classes: ClassAverage[];
  /** Active students within `margin` of either end of the range, nearest first. */
  readonly nearBounds: StudentView[];
  readonly scoreRange: { readonly min: number; readonly max: number };
  readonly margin: number;
}

/** One day of a class: its changes and its students' average at the end of the day. */
export interface ClassDay {
  /** `YYYY-MM-DD`, a day in the school's time zone. */
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

/**
 * Reads behind the start page and the charts (students, score_records, applications,
 * student_daily_scores), with days in the school's time zone (SCHOOL_TIME_ZONE, default UTC): the
 * zone `student_daily_scores` was projected in. A day's changes are those from its local midnight
 * to the next one, as UTC instants for the SQL.
 */
export class StatsRepository {
  private readonly days: SchoolDays;

  constructor(
    private readonly db: Kysely<ReadModelDatabase>,
    timeZone: string = DEFAULT_SCHOOL_TIME_ZONE,
  ) {
    this.days = schoolDays(timeZone);
  }

  /** The school day (`YYYY-MM-DD`) of `now` (ms since the epoch) in the school's time zone. */
  today(now: number): string {
    return this.days.dayOf(now);
  }

  /** The start page: pending reviews, the changes of `today` so far (a school day), each class's average, students near the bounds. */
  async overview(today: string, range: { min: number; max: number }): Promise<StatsOverview> {
    const todayStart = new Date(this.days.startOf(today)).toISOString();
    const margin = Math.max(1, Math.round((range.max - range.min) / 10));
    const [pending, changedToday, classes, near] = await Promise.all([
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
      todayChanges: integerFromSql(changedToday.n as number),
      classes: classes.map((c) => ({ className: c.class_name, students: integerFromSql(c.n as number), averageScore: Math.round(Number(c.average) * 100) / 100 })),
      nearBounds: near.map((row) => studentView(rowFromSql('students', row))),
      scoreRange: { min: range.min, max: range.max },
      margin,
    };
  }

  /**
   * A class's last `days` school days up to `lastDay` (inclusive): the changes and their sum from
   * `score_records`, the end-of-day average from `student_daily_scores` (a day without a change
   * carries each student's score over). Counts its current students.
   */
  async classDaily(className: string, lastDay: string, days: number): Promise<ClassDay[]> {
    const dayList = daysUpTo(lastDay, Math.min(Math.max(1, days), DAILY_DAYS_MAX));
    const bounds = dayBounds(this.days, dayList);
    // No LIMIT: MariaDB takes none in an IN subquery; a class is a school's class, not a crowd.
    const students = this.db.selectFrom('students').select('student_id').where('class_name', '=', className);
    // Each change's day: INTERVAL() finds by bisection the last day start (epoch seconds, every
    // start a whole second) at or before the change, 1 for the first day of the list.
    const dayIndex = sql<number>`INTERVAL(TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', at), ${sql.join(bounds.slice(0, -1).map((ms) => Math.floor(ms / 1000)))})`;
    const [changes, points] = await Promise.all([
      this.db
        .selectFrom('score_records')
        .select([dayIndex.as('day_index'), (eb) => eb.fn.countAll().as('n'), (eb) => eb.fn.sum('delta').as('total')])
        .where('student_id', 'in', students)
        .where('at', '>=', datetime(new Date(bounds[0]).toISOString()))
        .where('at', '<', datetime(new Date(bounds[bounds.length - 1]).toISOString()))
        .groupBy('day_index')
        .execute(),
      this.db
        .selectFrom('student_daily_scores')
        .select(['student_id', 'day', 'score'])
        .where('student_id', 'in', students)
        .where('day', '<=', lastDay)
        .orderBy('day')
        .execute(),
    ]);
    const byDay = new Map(
      changes.map((c) => [dayList[integerFromSql(c.day_index) - 1], { changes: integerFromSql(c.n as number), deltaSum: integerFromSql((c.total ?? 0) as number) }]),
    );
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

/** The `count` calendar days ending with `lastDay`, oldest first (`YYYY-MM-DD`, in any zone). */
export function daysUpTo(lastDay: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addDays(lastDay, i - (count - 1)));
}

/**
 * Where each day of `dayList` (consecutive days, oldest first) starts in the school's time zone,
 * and where the last one ends: `dayList.length + 1` UTC instants (ms), non-decreasing. Day i runs
 * from bound i to bound i + 1 (24 hours, or 23 or 25 on a DST change).
 *
 * @example dayBounds(schoolDays('Asia/Shanghai'), ['2025-03-02']) // [Date.parse('2025-03-01T16:00:00Z'), Date.parse('2025-03-02T16:00:00Z')]
 */
export function dayBounds(days: SchoolDays, dayList: readonly string[]): number[] {
  return [...dayList.map((day) => days.startOf(day)), days.startOf(addDays(dayList[dayList.length - 1], 1))];
}

/** An ISO time as a DATETIME(3) parameter. */
function datetime(iso: string) {
  return sql<Date>`${sqlDatetime(iso)}`;
}
