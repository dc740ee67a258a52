import type { SagaView } from '../../application/sagas/saga-view';
import type {
  ApplicationsRepository,
  ArchivesRepository,
  Projector,
  ScoreRecordsRepository,
  StudentsRepository,
  UsersRepository,
} from '../../projections';

/** The reads of the `students` read model the HTTP API uses (a StudentsRepository serves). */
export type StudentsReads = Pick<StudentsRepository, 'getStudent' | 'listStudents'>;
/** The reads of the `score_records` read model the HTTP API uses (a ScoreRecordsRepository serves). */
export type ScoreRecordsReads = Pick<ScoreRecordsRepository, 'listRecords'>;
/** The reads of the `applications` read model the HTTP API uses (an ApplicationsRepository serves). */
export type ApplicationsReads = Pick<ApplicationsRepository, 'getApplication' | 'listApplications'>;
/** The reads of the `users` read model the HTTP API uses (a UsersRepository serves). */
export type UsersReads = Pick<UsersRepository, 'getUser'>;
/** What X-Min-Position reads wait on, and the position reads reflect (the Projector of the live read models serves). */
export type ReadModelPosition = Pick<Projector, 'waitFor' | 'position'>;
/** Whether this node counts on a quorum now: reads without one are answered as stale. */
export interface QuorumProbe {
  hasQuorum(): boolean;
}

/** The reads of the archive read models the HTTP API uses (an ArchivesRepository serves). */
export type ArchivesReads = Pick<ArchivesRepository, 'listArchives' | 'getArchivedStudent'>;
/** Sagas as this node folds them from the log. */
export interface SagasReads {
  getSaga(sagaId: string): Promise<SagaView | undefined>;
}
/** Injection token of the ArchivesReads. */
export const ARCHIVES_REPOSITORY = Symbol('ARCHIVES_REPOSITORY');
/** Injection token of the SagasReads. */
export const SAGAS_READS = Symbol('SAGAS_READS');

/** Injection token of the StudentsReads. */
export const STUDENTS_REPOSITORY = Symbol('STUDENTS_REPOSITORY');
/** Injection token of the ScoreRecordsReads. */
export const SCORE_RECORDS_REPOSITORY = Symbol('SCORE_RECORDS_REPOSITORY');
/** Injection token of the ApplicationsReads. */
export const APPLICATIONS_REPOSITORY = Symbol('APPLICATIONS_REPOSITORY');
/** Injection token of the UsersReads. */
export const USERS_REPOSITORY = Symbol('USERS_REPOSITORY');
/** Injection token of the ReadModelPosition (the live read models' Projector). */
export const READ_PROJECTOR = Symbol('READ_PROJECTOR');
/** Injection token of the QuorumProbe. */
export const QUORUM_PROBE = Symbol('QUORUM_PROBE');
/** Injection token of the AsyncCommands (writes with `Prefer: respond-async`). */
export const ASYNC_COMMANDS = Symbol('ASYNC_COMMANDS');
