import { assert } from '../shared/assert';
import type { EventLogRow } from './logged-event';

/** Events the tail keeps at most unless configured. */
const LOG_TAIL_EVENTS_DEFAULT = 20_000;
/** Bytes of event data the tail keeps at most unless configured. */
const LOG_TAIL_BYTES_DEFAULT = 16 * 1024 * 1024;

/** How much a LogTail keeps. */
export interface LogTailLimits {
  readonly eventsMax: number;
  readonly dataBytesMax: number;
}

/**
 * The newest committed events of this node's log, in memory and in position order: readers that
 * follow the log (the projectors, the event feed) take what was just written from here instead of
 * reading it back from `event_log`. It is filled by the event store after each commit, so it only
 * ever holds committed rows, and the log is immutable, so a row held here is the row in the table.
 * It answers only for a position it holds and sends every other read to MySQL: after a start, a
 * recovery, or when a reader fell further behind than the tail reaches.
 *
 * @example
 * tail.append(committedRows);                    // the event store, after each commit
 * const rows = await readEventRows(db, checkpoint, 1000, tail); // the tail first, else MySQL
 */
export class LogTail {
  private rows: EventLogRow[] = [];
  /** Index in `rows` of the oldest row kept (rows before it are dropped lazily). */
  private start = 0;
  private dataBytes = 0;
  private readonly limits: LogTailLimits;

  constructor(limits: Partial<LogTailLimits> = {}) {
    this.limits = { eventsMax: limits.eventsMax ?? LOG_TAIL_EVENTS_DEFAULT, dataBytesMax: limits.dataBytesMax ?? LOG_TAIL_BYTES_DEFAULT };
    assert(Number.isSafeInteger(this.limits.eventsMax) && this.limits.eventsMax >= 1, `eventsMax must be a positive integer, got ${this.limits.eventsMax}`);
    assert(Number.isSafeInteger(this.limits.dataBytesMax) && this.limits.dataBytesMax >= 1, `dataBytesMax must be a positive integer, got ${this.limits.dataBytesMax}`);
  }

  /** Events held now. */
  get size(): number {
    return this.rows.length - this.start;
  }

  /** The first position held (undefined when empty). */
  get first(): number | undefined {
    return this.size === 0 ? undefined : this.rows[this.start].position;
  }

  /** The last position held (undefined when empty). */
  get last(): number | undefined {
    return this.size === 0 ? undefined : this.rows[this.rows.length - 1].position;
  }

  /**
   * Adds rows just committed, in position order. Rows that do not follow the last one held (a
   * write this tail did not see, after a recovery) start the tail afresh, so it never has a gap.
   */
  append(rows: readonly EventLogRow[]): void {
    for (const row of rows) {
      const last = this.last;
      if (last !== undefined && row.position !== last + 1) this.clear();
      this.rows.push(row);
      this.dataBytes += row.data.length;
    }
    this.trim();
  }

  /**
   * Up to `limit` rows after position `after`, oldest first, when the tail holds `after + 1`;
   * undefined when it does not (the reader must ask MySQL, which may hold more).
   */
  read(after: number, limit: number): EventLogRow[] | undefined {
    const first = this.first;
    const last = this.last;
    if (first === undefined || last === undefined || after + 1 < first || after >= last || limit < 1) return undefined;
    const from = this.start + (after + 1 - first);
    return this.rows.slice(from, Math.min(this.rows.length, from + limit));
  }

  /** Forgets every row (after a recovery, the next reads go to MySQL). */
  clear(): void {
    this.rows = [];
    this.start = 0;
    this.dataBytes = 0;
  }

  private trim(): void {
    while (this.size > 1 && (this.size > this.limits.eventsMax || this.dataBytes > this.limits.dataBytesMax)) {
      this.dataBytes -= this.rows[this.start].data.length;
      this.start += 1;
    }
    if (this.start > 1024 && this.start * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.start);
      this.start = 0;
    }
  }
}
