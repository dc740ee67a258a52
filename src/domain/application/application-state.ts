/** Where an application stands. */
export type ApplicationStatus = 'pending' | 'approved' | 'rejected';

/** An application as decisions see it: the fold of its stream. */
export interface ApplicationState {
  readonly exists: boolean;
  /** '' until submitted. */
  readonly applicationId: string;
  readonly studentId: string;
  readonly delta: number;
  readonly reason: string;
  /** The catalogue reason named, when one was. */
  readonly reasonCode?: string;
  /** The submitter's username. */
  readonly submittedBy: string;
  /** null until submitted. */
  readonly status: ApplicationStatus | null;
  /** How many events the stream holds: the expected version of the next append. */
  readonly version: number;
}

/** The state of an application stream with no events. */
export const initialApplicationState: ApplicationState = Object.freeze({
  exists: false,
  applicationId: '',
  studentId: '',
  delta: 0,
  reason: '',
  submittedBy: '',
  status: null,
  version: 0,
});
