import type { Kysely } from 'kysely';
import type { Database } from '../infra/mysql/database';
import { executePrepared } from '../infra/mysql/prepared-statements';

/** Rows per INSERT while generating (10 columns each: well under MySQL's 65,535 placeholders). */
const INSERT_ROWS = 2000;

/** The shape of the generated log. */
export interface SyntheticLogOptions {
  readonly events: number;
  /** Students registered first (positions 1..students). */
  readonly students: number;
  /**
   * One application is submitted and approved every this many steps (default 20: a tenth of
   * the events are applications'; 3: half of them).
   */
  readonly applicationEvery?: number;
}

/** Who acts in the synthetic log. */
export interface SyntheticActor {
  readonly username: string;
  readonly role: string;
}

/** One event of a synthetic command: its stream, type and data (with the actor and time, as the domain writes them). */
export interface SyntheticEvent {
  readonly position: number;
  readonly streamType: string;
  readonly streamId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly actor: SyntheticActor;
  /** ISO time of the event: one second per log position from 2026-09-01. */
  readonly at: string;
}

/** One command of the synthetic log: one slot's worth in `writeSyntheticLog`, one or two events. */
export interface SyntheticCommand {
  /** 1-based, in log order. */
  readonly index: number;
  readonly events: readonly SyntheticEvent[];
}

const ADMIN: SyntheticActor = { username: 'admin', role: 'admin' };
const TEACHER: SyntheticActor = { username: 'ms.lee', role: 'teacher' };

/**
 * The commands of a realistic log of `options.events` events, in order: `students`
 * StudentRegistered, then per `applicationEvery` steps direct ScoreModified, one
 * ApplicationSubmitted and one ApplicationApproved with its ScoreModified (one command, two
 * events). Scores go +1 and -1 in turn per student, so every score stays near 100.
 *
 * @example [...syntheticCommands({ events: 3, students: 2 })].map((c) => c.events.map((e) => e.type))
 * // [['StudentRegistered'], ['StudentRegistered'], ['ScoreModified']]
 */
export function* syntheticCommands(options: SyntheticLogOptions): Generator<SyntheticCommand> {
  const scores = new Array<number>(options.students).fill(100);
  const every = Math.max(3, options.applicationEvery ?? 20);
  const event = (position: number, streamType: string, streamId: string, type: string, data: Record<string, unknown>, actor: SyntheticActor): SyntheticEvent => {
    const at = new Date(Date.UTC(2026, 8, 1) + position * 1000).toISOString();
    return { position, streamType, streamId, type, data: { ...data, actor, at }, actor, at };
  };
  let position = 0;
  let index = 0;
  while (position < options.events) {
    index += 1;
    position += 1;
    const n = position - 1 - options.students;
    if (n < 0) {
      const studentId = `s-${position}`;
      yield { index, events: [event(position, 'student', studentId, 'StudentRegistered', { studentId, name: `Student ${position}`, className: `${1 + (position % 6)}-${'ABCD'[position % 4]}`, initialScore: 100 }, ADMIN)] };
      continue;
    }
    const student = n % options.students;
    const studentId = `s-${student + 1}`;
    const kind = n % every;
    // +1 and -1 in turn per student: every score stays near 100 (whatever the count of students).
    const delta = Math.floor(n / options.students) % 2 === 0 ? 1 : -1;
    if (kind === every - 2) {
      const applicationId = `a-${Math.floor(n / every)}`;
      yield { index, events: [event(position, 'application', applicationId, 'ApplicationSubmitted', { applicationId, studentId, delta, reason: 'helped at the school fair' }, TEACHER)] };
    } else if (kind === every - 1 && position + 1 <= options.events) {
      const applicationId = `a-${Math.floor(n / every)}`;
      const previousScore = scores[student];
      scores[student] += delta;
      const approved = event(position, 'application', applicationId, 'ApplicationApproved', { applicationId, studentId, delta, comment: 'approved', newScore: scores[student] }, ADMIN);
      position += 1;
      const modified = event(position, 'student', studentId, 'ScoreModified', { studentId, delta, reason: 'helped at the school fair', source: 'application', applicationId, previousScore, newScore: scores[student] }, ADMIN);
      yield { index, events: [approved, modified] };
    } else {
      const previousScore = scores[student];
      scores[student] += delta;
      yield { index, events: [event(position, 'student', studentId, 'ScoreModified', { studentId, delta, reason: 'kept the classroom tidy', source: 'direct', previousScore, newScore: scores[student] }, ADMIN)] };
    }
  }
}

/**
 * Writes a realistic event log straight into `event_log` (for benchmarks of what reads the log;
 * no consensus): the commands of `syntheticCommands`, one slot each. Every row has the columns,
 * data and metadata the event store writes.
 */
export async function writeSyntheticLog(db: Kysely<Database>, options: SyntheticLogOptions): Promise<void> {
  const versions = new Map<string, number>();
  let rows: Database['event_log'][] = [];
  const flush = async (force: boolean) => {
    if (rows.length < INSERT_ROWS && !(force && rows.length > 0)) return;
    const batch = rows;
    rows = [];
    await executePrepared(db, db.insertInto('event_log').values(batch));
  };
  for (const command of syntheticCommands(options)) {
    const slot = command.index;
    const commandId = `bench-${slot}`;
    // Every command writes events, so its id is in the event log's command key: it has no `applied_commands` row.
    for (const [index, e] of command.events.entries()) {
      const key = `${e.streamType}/${e.streamId}`;
      const version = (versions.get(key) ?? 0) + 1;
      versions.set(key, version);
      rows.push({
        position: e.position,
        slot,
        command_id: commandId,
        command_index: index,
        stream_type: e.streamType,
        stream_id: e.streamId,
        stream_version: version,
        type: e.type,
        schema_version: 1,
        data: JSON.stringify(e.data),
        metadata: JSON.stringify({ actor: e.actor, correlationId: commandId, causationId: commandId, decidedAt: e.at, commandId }),
      });
    }
    await flush(false);
  }
  await flush(true);
}
