import { assert } from './assert';

/*
 * School days: the local calendar day of an instant in the school's time zone (SCHOOL_TIME_ZONE),
 * and the UTC instant a local day starts at, with Intl's time-zone data (DST included). Pure: the
 * zone is always passed in; nothing here reads the clock or the environment.
 */

/** The zone days are counted in unless SCHOOL_TIME_ZONE says otherwise: UTC, as before the setting existed. */
export const DEFAULT_SCHOOL_TIME_ZONE = 'UTC';

/** IANA zone names start with a letter (`Asia/Shanghai`, `Etc/GMT-8`, `UTC`); this refuses offsets such as `+08:00`. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;
/** Days whose start a zone's calendar keeps at most (about ten years of school days). */
const STARTS_KEPT_MAX = 4096;
/** Beyond any zone's offset from UTC (−12 h .. +14 h) and a DST shift: where the start of a day is searched. */
const SEARCH_MS = 30 * 3_600_000;

/**
 * The zone's canonical name as Intl knows it (`asia/shanghai` -> `Asia/Shanghai`, `Etc/UTC` ->
 * `UTC`), or undefined when `name` is no IANA zone (an offset such as `+08:00` included).
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (!ZONE_NAME.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** Whether two zone names name the same zone (`UTC` and `Etc/UTC`, or one spelled in another case); false when either is none. */
export function sameTimeZone(a: string, b: string): boolean {
  const canonical = canonicalTimeZone(a);
  return canonical !== undefined && canonical === canonicalTimeZone(b);
}

/** The day `days` calendar days after `day` (before it when negative); `YYYY-MM-DD` in, `YYYY-MM-DD` out. */
export function addDays(day: string, days: number): string {
  return isoDay(dayMs(day) + days * MS_PER_DAY);
}

/** The calendar of one zone: which local day an instant falls on, and when a local day starts. */
export interface SchoolDays {
  /** The zone as configured (an IANA name Intl accepts). */
  readonly timeZone: string;
  /** The local day (`YYYY-MM-DD`) of an instant (ms since the epoch). */
  dayOf(instantMs: number): string;
  /**
   * The first instant (ms since the epoch) whose local day is `day`: its local midnight, or, on a
   * day whose midnight a DST change skips, the instant the clocks jump to. A day runs from its
   * start to the next day's start (23 or 25 hours on a DST change).
   */
  startOf(day: string): number;
}

const calendars = new Map<string, SchoolDays>();

/**
 * The calendar of `timeZone` (one per zone, reused).
 *
 * @example
 * const days = schoolDays('Asia/Shanghai');
 * days.dayOf(Date.parse('2025-03-01T23:30:00.000Z')); // '2025-03-02'
 * new Date(days.startOf('2025-03-02')).toISOString(); // '2025-03-01T16:00:00.000Z'
 *
 * @throws AssertionError when `timeZone` is no IANA zone (configuration validates it first).
 */
export function schoolDays(timeZone: string): SchoolDays {
  let calendar = calendars.get(timeZone);
  if (calendar === undefined) {
    const canonical = canonicalTimeZone(timeZone);
    assert(canonical !== undefined, `not an IANA time zone: ${JSON.stringify(timeZone)}`);
    calendar = canonical === 'UTC' ? new UtcDays(timeZone) : new ZonedDays(timeZone);
    calendars.set(timeZone, calendar);
  }
  return calendar;
}

/** UTC: the day is the date of the ISO time, and starts at 00:00Z. */
class UtcDays implements SchoolDays {
  constructor(readonly timeZone: string) {}

  dayOf(instantMs: number): string {
    return isoDay(instantMs);
  }

  startOf(day: string): number {
    return dayMs(day);
  }
}

/** A zone with an offset, DST or both, through Intl. */
class ZonedDays implements SchoolDays {
  private readonly format: Intl.DateTimeFormat;
  /** The day found last, and the instants it runs between: log times come mostly in order, so most instants fall in it. */
  private last: { readonly day: string; readonly start: number; readonly end: number } | undefined;
  /** Days' starts found so far (a few Intl calls each), emptied when it reaches STARTS_KEPT_MAX. */
  private readonly starts = new Map<string, number>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  dayOf(instantMs: number): string {
    const last = this.last;
    if (last !== undefined && instantMs >= last.start && instantMs < last.end) return last.day;
    const day = this.localDay(instantMs);
    const start = this.startOf(day);
    const end = this.startOf(addDays(day, 1));
    if (instantMs >= start && instantMs < end) this.last = { day, start, end };
    return day;
  }

  startOf(day: string): number {
    let start = this.starts.get(day);
    if (start === undefined) {
      start = this.findStart(day);
      if (this.starts.size >= STARTS_KEPT_MAX) this.starts.clear();
      this.starts.set(day, start);
    }
    return start;
  }

  private findStart(day: string): number {
    const midnightUtc = dayMs(day);
    // Local midnight is midnight UTC less the offset there; the offset is taken again at the
    // guess, in case a DST change lies between the two.
    const guess = midnightUtc - this.offsetAt(midnightUtc - this.offsetAt(midnightUtc));
    if (this.localDay(guess) === day && this.localDay(guess - 1) < day) return guess;
    // Midnight skipped by a DST change (the day starts at 01:00): the first instant of the day, by bisection.
    let before = midnightUtc - SEARCH_MS;
    let from = midnightUtc + SEARCH_MS;
    while (from - before > 1) {
      const middle = Math.floor((before + from) / 2);
      if (this.localDay(middle) >= day) from = middle;
      else before = middle;
    }
    return from;
  }

  /** The local date and time of an instant, as numbers. */
  private local(instantMs: number): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
    const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.format.formatToParts(instantMs)) {
      if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
    }
    return fields;
  }

  private localDay(instantMs: number): string {
    const { year, month, day } = this.local(instantMs);
    return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  }

  /** Local time minus UTC at an instant, in ms (+8 h in Asia/Shanghai). */
  private offsetAt(instantMs: number): number {
    const l = this.local(instantMs);
    const asUtc = new Date(0);
    asUtc.setUTCFullYear(l.year, l.month - 1, l.day);
    asUtc.setUTCHours(l.hour, l.minute, l.second, 0);
    return asUtc.getTime() - Math.floor(instantMs / 1000) * 1000;
  }
}

/** 00:00Z of a `YYYY-MM-DD` day, in ms. */
function dayMs(day: string): number {
  const match = DAY.exec(day);
  assert(match !== null, `a day is YYYY-MM-DD, got ${JSON.stringify(day)}`);
  const date = new Date(0);
  date.setUTCFullYear(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return date.getTime();
}

/** The UTC date of an instant, `YYYY-MM-DD`. */
function isoDay(instantMs: number): string {
  return new Date(instantMs).toISOString().slice(0, 10);
}
