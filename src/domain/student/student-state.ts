/** A student as decisions see it: the fold of their stream. */
export interface StudentState {
  readonly exists: boolean;
  /** '' until registered. */
  readonly studentId: string;
  readonly name: string;
  readonly className: string;
  readonly score: number;
  readonly initialScore: number;
  readonly frozen: boolean;
  readonly archived: boolean;
  /** How many events the stream holds: the expected version of the next append. */
  readonly version: number;
}

/** The state of a student stream with no events. */
export const initialStudentState: StudentState = Object.freeze({
  exists: false,
  studentId: '',
  name: '',
  className: '',
  score: 0,
  initialScore: 0,
  frozen: false,
  archived: false,
  version: 0,
});
