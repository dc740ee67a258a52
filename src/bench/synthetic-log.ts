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
  /** Also writes each slot's `applied_commands` row (its command id's outcome), as the event store does. */
  readonly appliedCommands?: boolean;
}

/**
 * Writes a realistic event log straight into `event_log` (for benchmarks of what reads the log;
 * no consensus): `students` StudentRegistered, then per 20 events 18 direct ScoreModified, one
 * ApplicationSubmitted and, in the same slot as its ScoreModified, one ApplicationApproved.
 * Every row has the columns, data and metadata the event store writes.
 */
export async function writeSyntheticLog(db: Kysely<Database>, options: SyntheticLogOptions): Promise<void> {
  const scores = new Array<number>(options.students).fill(100);
  const admin = { username: 'admin', role: 'admin' };
  const teacher = { username: 'ms.lee', role: 'teacher' };
  const versions = new Map<string, number>();
  let rows: Database['event_log'][] = [];
  let commands: Database['applied_commands'][] = [];
  let slot = 0;
  const push = (position: number, streamType: string, streamId: string, type: string, data: unknown, actor: unknown) => {
    const key = `${streamType}/${streamId}`;
    const version = (versions.get(key) ?? 0) + 1;
    versions.set(key, version);
    const at = new Date(Date.UTC(2026, 8, 1) + position * 1000).toISOString();
    const commandId = `bench-${slot}`;
    if (options.appliedCommands && commands[commands.length - 1]?.command_id !== commandId) {
      commands.push({ command_id: commandId, slot, outcome: JSON.stringify({ commandId, slot, status: 'applied', firstPosition: position, result: {} }) });
    }
    rows.push({
      position,
      slot,
      command_id: commandId,
      stream_type: streamType,
      stream_id: streamId,
      stream_version: version,
      type,
      schema_version: 1,
      data: JSON.stringify({ ...(data as object), actor, at }),
      metadata: JSON.stringify({ actor, correlationId: commandId, causationId: commandId, decidedAt: at, commandId }),
    });
  };
  const flush = async (force: boolean) => {
    if (rows.length < INSERT_ROWS && !(force && rows.length > 0)) return;
    const batch = rows;
    rows = [];
    await executePrepared(db, db.insertInto('event_log').values(batch));
    if (commands.length > 0) {
      const applied = commands;
      commands = [];
      await executePrepared(db, db.insertInto('applied_commands').values(applied));
    }
  };
  const every = Math.max(3, options.applicationEvery ?? 20);
  let position = 0;
  while (position < options.events) {
    slot += 1;
    position += 1;
    const n = position - 1 - options.students;
    if (n < 0) {
      const studentId = `s-${position}`;
      push(position, 'student', studentId, 'StudentRegistered', { studentId, name: `Student ${position}`, className: `${1 + (position % 6)}-${'ABCD'[position % 4]}`, initialScore: 100 }, admin);
    } else {
      const index = n % options.students;
      const studentId = `s-${index + 1}`;
      const kind = n % every;
      // +1 and -1 in turn per student: every score stays near 100 (whatever the count of students).
      const delta = Math.floor(n / options.students) % 2 === 0 ? 1 : -1;
      if (kind === every - 2) {
        const applicationId = `a-${Math.floor(n / every)}`;
        push(position, 'application', applicationId, 'ApplicationSubmitted', { applicationId, studentId, delta, reason: 'helped at the school fair' }, teacher);
      } else if (kind === every - 1 && position + 1 <= options.events) {
        const applicationId = `a-${Math.floor(n / every)}`;
        const previousScore = scores[index];
        scores[index] += delta;
        push(position, 'application', applicationId, 'ApplicationApproved', { applicationId, studentId, delta, comment: 'approved', newScore: scores[index] }, admin);
        position += 1;
        push(position, 'student', studentId, 'ScoreModified', { studentId, delta, reason: 'helped at the school fair', source: 'application', applicationId, previousScore, newScore: scores[index] }, admin);
      } else {
        const previousScore = scores[index];
        scores[index] += delta;
        push(position, 'student', studentId, 'ScoreModified', { studentId, delta, reason: 'kept the classroom tidy', source: 'direct', previousScore, newScore: scores[index] }, admin);
      }
    }
    await flush(false);
  }
  await flush(true);
}
