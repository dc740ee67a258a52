import { APPLICATIONS_PROJECTION } from './applications/applications-projection';
import { ARCHIVES_PROJECTION } from './archives/archives-projection';
import type { Projection, ProjectionSet } from './projection';
import { SCORE_RECORDS_PROJECTION } from './score-records/score-records-projection';
import { STUDENTS_PROJECTION } from './students/students-projection';
import { USERS_PROJECTION } from './users/users-projection';
import { REASONS_PROJECTION } from './reasons/reasons-projection';
import { STUDENT_DAILY_SCORES_PROJECTION } from './stats/student-daily-scores-projection';

/** Every read model of the domain. */
export const READ_MODEL_PROJECTIONS: readonly Projection[] = [
  STUDENTS_PROJECTION,
  SCORE_RECORDS_PROJECTION,
  APPLICATIONS_PROJECTION,
  USERS_PROJECTION,
  ARCHIVES_PROJECTION,
  REASONS_PROJECTION,
  STUDENT_DAILY_SCORES_PROJECTION,
];

/** The set a node runs: every read model under one checkpoint, `read-models` (one log read feeds all). */
export const READ_MODELS: ProjectionSet = { name: 'read-models', projections: READ_MODEL_PROJECTIONS };

/** The projection named `name` (e.g. for `projections:rebuild --projection students`), or undefined. */
export function projectionNamed(name: string): Projection | undefined {
  return READ_MODEL_PROJECTIONS.find((p) => p.name === name);
}
