import { APPLICATIONS_PROJECTION } from './applications/applications-projection';
import { ARCHIVES_PROJECTION } from './archives/archives-projection';
import type { Projection, ProjectionSet } from './projection';
import { SCORE_RECORDS_PROJECTION } from './score-records/score-records-projection';
import { STUDENTS_PROJECTION } from './students/students-projection';
import { USERS_PROJECTION } from './users/users-projection';
import { REASONS_PROJECTION } from './reasons/reasons-projection';
import { studentDailyScoresProjection } from './stats/student-daily-scores-projection';
import { DEFAULT_SCHOOL_TIME_ZONE } from '../shared/school-days';

/** The checkpoint (and set) name every read model is applied under. */
export const READ_MODELS_CHECKPOINT = 'read-models';

/**
 * Every read model of the domain, with school days counted in `timeZone` (SCHOOL_TIME_ZONE; the
 * node and the CLI's rebuild pass the same setting, so both compute the same rows).
 */
export function readModelProjections(timeZone: string): readonly Projection[] {
  return [
    STUDENTS_PROJECTION,
    SCORE_RECORDS_PROJECTION,
    APPLICATIONS_PROJECTION,
    USERS_PROJECTION,
    ARCHIVES_PROJECTION,
    REASONS_PROJECTION,
    studentDailyScoresProjection(timeZone),
  ];
}

/** The set a node runs: every read model under one checkpoint, `read-models` (one log read feeds all), days in `timeZone`. */
export function readModelSet(timeZone: string): ProjectionSet {
  return { name: READ_MODELS_CHECKPOINT, projections: readModelProjections(timeZone) };
}

/** Every read model, with UTC days (the default zone). */
export const READ_MODEL_PROJECTIONS: readonly Projection[] = readModelProjections(DEFAULT_SCHOOL_TIME_ZONE);

/** The read models with UTC days (the default zone): `readModelSet(DEFAULT_SCHOOL_TIME_ZONE)`. */
export const READ_MODELS: ProjectionSet = { name: READ_MODELS_CHECKPOINT, projections: READ_MODEL_PROJECTIONS };

/**
 * The projection named `name` (e.g. for `projections:rebuild --projection students`), with days
 * in `timeZone` (default UTC), or undefined.
 */
export function projectionNamed(name: string, timeZone: string = DEFAULT_SCHOOL_TIME_ZONE): Projection | undefined {
  return readModelProjections(timeZone).find((p) => p.name === name);
}
