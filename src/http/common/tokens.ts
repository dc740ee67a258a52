import type { SagaView } from '../../application/sagas/saga-view';
import type {
  ApplicationsRepository,
  ArchivesRepository,
  ReasonsRepository,
  ScoreRecordsRepository,
  StatsRepository,
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
export type UsersReads = Pick<UsersRepository, 'getUser' | 'listUsers'>;
/** What X-Min-Position reads wait on, and the position reads reflect (the Projector of the live read models serves). */
export type { ReadModelPosition } from '../../api/min-position';
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
/** The reads of the `reasons` read model the HTTP API uses (a ReasonsRepository serves). */
export type ReasonsReads = Pick<ReasonsRepository, 'listReasons' | 'getReason'>;
/** Injection token of the ReasonsReads. */
export const REASONS_REPOSITORY = Symbol('REASONS_REPOSITORY');
/** The configured score range (both ends included). */
export interface ScoreRange {
  readonly min: number;
  readonly max: number;
}
/** Injection token of the ScoreRange. */
export const SCORE_RANGE = Symbol('SCORE_RANGE');

/** The reads behind the start page and the charts, and the school day of an instant (a StatsRepository serves, in the school's time zone). */
export type StatsReads = Pick<StatsRepository, 'today' | 'overview' | 'classDaily' | 'scoreHistory'>;
/** Injection token of the StatsReads. */
export const STATS_REPOSITORY = Symbol('STATS_REPOSITORY');
/** The keyset pages CSV exports stream (a StudentsRepository and a ScoreRecordsRepository serve). */
export type ExportReads = Pick<StudentsRepository, 'studentsAfter'> & Pick<ScoreRecordsRepository, 'recordsAfter'>;
/** Injection token of the ExportReads. */
export const EXPORT_READS = Symbol('EXPORT_READS');

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

/** Where writes should go: the leader's id and advertised HTTP URL (LeaderLocator serves). */
export interface LeaderHints {
  hint(): { readonly leaderId: string | null; readonly leaderUrl: string | null };
}
/** Injection token of the LeaderHints. */
export const LEADER_HINTS = Symbol('LEADER_HINTS');
