import type { Kysely } from 'kysely';
import { readCheckpointTimeZone, readCheckpoints } from './checkpoint-store';
import { readLogHead } from './event-reader';
import type { ReadModelDatabase } from './read-model-database';
import { READ_MODELS } from './read-models';
import { DEFAULT_SCHOOL_TIME_ZONE } from '../shared/school-days';

/** Where one projection stands against the log. */
export interface ProjectionPosition {
  /** The projection (`students`, ..., `credentials`). */
  readonly name: string;
  /** The checkpoint it is applied under (`read-models` for every read model, `credentials`). */
  readonly checkpoint: string;
  readonly position: number;
  /** Events of the log it has not applied yet. */
  readonly lag: number;
  /** For a projection of days (`student_daily_scores`): the school time zone its rows count days in, as its checkpoint records it. */
  readonly timeZone?: string;
}

/** A node's projections and its log head (`projections:status`). */
export interface ProjectionStatus {
  readonly head: number;
  readonly projections: readonly ProjectionPosition[];
  /** A rebuild that has not swapped its tables in yet (running or interrupted), with its position. */
  readonly rebuilds: readonly { readonly checkpoint: string; readonly position: number; readonly lag: number }[];
}

/** The checkpoint of the login credentials' own projector. */
export const CREDENTIALS_CHECKPOINT = 'credentials';

/**
 * Reads every projection's checkpoint and the log head from a node's database. A checkpoint that
 * does not exist yet counts as position 0.
 */
export async function readProjectionStatus(db: Kysely<ReadModelDatabase>): Promise<ProjectionStatus> {
  const head = await readLogHead(db);
  const checkpoints = new Map((await readCheckpoints(db)).map((c) => [c.name, c.position]));
  const timeZone = (await readCheckpointTimeZone(db, READ_MODELS.name)) ?? DEFAULT_SCHOOL_TIME_ZONE;
  const at = (checkpoint: string, name: string): ProjectionPosition => {
    const position = checkpoints.get(checkpoint) ?? 0;
    return { name, checkpoint, position, lag: Math.max(0, head - position) };
  };
  return {
    head,
    projections: [
      ...READ_MODELS.projections.map((p) => ({ ...at(READ_MODELS.name, p.name), ...(p.timeZone !== undefined ? { timeZone } : {}) })),
      at(CREDENTIALS_CHECKPOINT, CREDENTIALS_CHECKPOINT),
    ],
    rebuilds: [...checkpoints]
      .filter(([name]) => name.startsWith('rebuild:'))
      .map(([checkpoint, position]) => ({ checkpoint, position, lag: Math.max(0, head - position) })),
  };
}
