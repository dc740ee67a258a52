import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES, SCORE_SOURCES } from '../../domain';

/**
 * The answers of the REST API as OpenAPI schemas (the typed web client is generated from them).
 * They describe the views the read models and the write path return; nothing constructs them.
 */

/** Every error answer: API.md's error shape. */
export class ErrorDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;
  @ApiProperty({ example: 'Bad Request' })
  error!: string;
  @ApiProperty({ example: 'invalid input' })
  message!: string;
  @ApiPropertyOptional({ description: 'field errors (400) or other detail', type: 'object', additionalProperties: true })
  details?: unknown;
}

/** What every write answers besides its result: the command id and the log position (also in X-Log-Position). */
export class WriteAnswerDto {
  @ApiProperty({ description: 'the Idempotency-Key, or an id the node chose' })
  commandId!: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'log position of the last event written (null when none, or queued)' })
  position!: number | null;
}

/** A write queued with `Prefer: respond-async` (202, Location: /api/commands/:commandId). */
export class QueuedWriteDto extends WriteAnswerDto {
  @ApiProperty({ enum: ['pending'] })
  status!: 'pending';
}

/** A student write's answer. */
export class StudentWriteDto extends WriteAnswerDto {
  @ApiProperty({ example: 's-1' })
  studentId!: string;
  @ApiPropertyOptional({ description: 'the score after the change' })
  score?: number;
}

/** An application write's answer. */
export class ApplicationWriteDto extends WriteAnswerDto {
  @ApiProperty()
  applicationId!: string;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected'] })
  status!: string;
  @ApiPropertyOptional({ description: "the student's score after an approval" })
  score?: number;
}

/** A user write's answer. */
export class UserWriteDto extends WriteAnswerDto {
  @ApiProperty()
  username!: string;
  @ApiPropertyOptional({ enum: ROLES })
  role?: string;
}

/** The answer of PUT /api/users/:username/classes: the classes as recorded (trimmed). */
export class UserClassesWriteDto extends WriteAnswerDto {
  @ApiProperty()
  username!: string;
  @ApiProperty({ type: [String], example: ['7A', '7B'] })
  classes!: string[];
}

/** A saga start's or retry's answer. */
export class SagaWriteDto extends WriteAnswerDto {
  @ApiProperty()
  sagaId!: string;
  @ApiProperty({ enum: ['running', 'retrying'] })
  status!: string;
}

/** A reason write's answer. */
export class ReasonWriteDto extends WriteAnswerDto {
  @ApiProperty()
  code!: string;
}

/** Paging fields of every list. */
export class PageDto {
  @ApiProperty({ example: 1 })
  page!: number;
  @ApiProperty({ example: 20 })
  pageSize!: number;
  @ApiProperty({ description: 'items over all pages' })
  total!: number;
}

/** One student. */
export class StudentDto {
  @ApiProperty({ example: 's-1' })
  studentId!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ example: '7a' })
  className!: string;
  @ApiProperty({ example: 100 })
  score!: number;
  @ApiProperty({ example: 100 })
  initialScore!: number;
  @ApiProperty()
  frozen!: boolean;
  @ApiProperty()
  archived!: boolean;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
  @ApiProperty()
  position!: number;
}

/** A page of students. */
export class StudentPageDto extends PageDto {
  @ApiProperty({ type: [StudentDto] })
  items!: StudentDto[];
}

/** Who did something. */
export class ActorRefDto {
  @ApiProperty()
  username!: string;
  @ApiProperty({ enum: ROLES })
  role!: string;
}

/** One score change. */
export class ScoreRecordDto {
  @ApiProperty()
  position!: number;
  @ApiProperty()
  studentId!: string;
  @ApiProperty({ example: 5 })
  delta!: number;
  @ApiProperty()
  reason!: string;
  @ApiProperty({ type: String, nullable: true, description: 'the catalogue reason named' })
  reasonCode!: string | null;
  @ApiProperty({ type: ActorRefDto })
  actor!: ActorRefDto;
  @ApiProperty({ enum: SCORE_SOURCES })
  source!: string;
  @ApiProperty()
  newScore!: number;
  @ApiProperty({ type: String, nullable: true })
  sagaId!: string | null;
  @ApiProperty({ type: String, nullable: true })
  applicationId!: string | null;
  @ApiProperty({ format: 'date-time' })
  at!: string;
}

/** A page of score changes, newest first. */
export class ScoreRecordPageDto extends PageDto {
  @ApiProperty({ type: [ScoreRecordDto] })
  items!: ScoreRecordDto[];
}

/** One application. */
export class ApplicationDto {
  @ApiProperty()
  applicationId!: string;
  @ApiProperty()
  studentId!: string;
  @ApiProperty()
  delta!: number;
  @ApiProperty()
  reason!: string;
  @ApiProperty({ type: String, nullable: true })
  reasonCode!: string | null;
  @ApiProperty()
  submittedBy!: string;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected'] })
  status!: string;
  @ApiProperty({ type: String, nullable: true })
  reviewer!: string | null;
  @ApiProperty({ type: String, nullable: true })
  comment!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  submittedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  reviewedAt!: string | null;
  @ApiProperty()
  position!: number;
}

/** A page of applications. */
export class ApplicationPageDto extends PageDto {
  @ApiProperty({ type: [ApplicationDto] })
  items!: ApplicationDto[];
}

/** One user (no secrets). */
export class UserDto {
  @ApiProperty()
  username!: string;
  @ApiProperty({ enum: ROLES })
  role!: string;
  @ApiProperty()
  displayName!: string;
  @ApiProperty({ type: String, nullable: true })
  studentId!: string | null;
  @ApiProperty()
  disabled!: boolean;
  @ApiProperty({ type: [String], description: 'the classes a teacher or club looks after, in the order assigned (empty for other roles)', example: ['7A'] })
  classes!: string[];
  @ApiProperty()
  position!: number;
}

/** A page of users. */
export class UserPageDto extends PageDto {
  @ApiProperty({ type: [UserDto] })
  items!: UserDto[];
}

/** One semester archive. */
export class ArchiveDto {
  @ApiProperty()
  archiveId!: string;
  @ApiProperty({ example: '2025-fall' })
  semester!: string;
  @ApiProperty({ type: String, nullable: true })
  className!: string | null;
  @ApiProperty()
  studentCount!: number;
  @ApiProperty({ format: 'date-time' })
  completedAt!: string;
  @ApiProperty()
  position!: number;
}

/** A page of archives. */
export class ArchivePageDto extends PageDto {
  @ApiProperty({ type: [ArchiveDto] })
  items!: ArchiveDto[];
}

/** A student's snapshot in an archive. */
export class ArchivedStudentDto {
  @ApiProperty()
  archiveId!: string;
  @ApiProperty()
  semester!: string;
  @ApiProperty()
  studentId!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty()
  className!: string;
  @ApiProperty()
  score!: number;
  @ApiProperty()
  position!: number;
}

/** Why a saga step failed for one student (or the external system). */
export class StepReasonDto {
  @ApiPropertyOptional()
  studentId?: string;
  @ApiProperty()
  code!: string;
  @ApiProperty()
  message!: string;
}

/** One saga step. */
export class SagaStepDto {
  @ApiProperty({ example: 'chunk:0' })
  step!: string;
  @ApiProperty({ enum: ['pending', 'started', 'done', 'failed', 'compensated'] })
  status!: string;
}

/** A failed step with its reasons. */
export class SagaFailureDto {
  @ApiProperty()
  step!: string;
  @ApiProperty({ type: [StepReasonDto] })
  reasons!: StepReasonDto[];
}

/** A saga as the log folds it. */
export class SagaDto {
  @ApiProperty()
  sagaId!: string;
  @ApiProperty({ enum: ['batch', 'archive'] })
  kind!: string;
  @ApiProperty({ example: 'running' })
  status!: string;
  @ApiProperty()
  needsOperator!: boolean;
  @ApiProperty()
  startedBy!: string;
  @ApiProperty({ format: 'date-time' })
  startedAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  input!: Record<string, unknown>;
  @ApiProperty({ type: [SagaStepDto] })
  steps!: SagaStepDto[];
  @ApiProperty({ type: SagaFailureDto, nullable: true })
  failure!: SagaFailureDto | null;
  @ApiProperty({ type: SagaFailureDto, nullable: true, description: 'the compensation that waits for an operator' })
  operator!: SagaFailureDto | null;
  @ApiProperty({ type: [String] })
  compensated!: string[];
  @ApiProperty()
  version!: number;
  @ApiProperty()
  position!: number;
}

/** GET /api/commands/:commandId. */
export class CommandStatusDto {
  @ApiProperty()
  commandId!: string;
  @ApiProperty({ enum: ['pending', 'applied', 'rejected'] })
  status!: string;
  @ApiPropertyOptional({ type: 'integer', nullable: true })
  position?: number | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  result?: unknown;
  @ApiPropertyOptional({ description: 'why it was rejected' })
  reason?: string;
  @ApiPropertyOptional({ description: 'the status a rejection answers' })
  statusCode?: number;
}

/** One member as this node sees it. */
export class ClusterMemberDto {
  @ApiProperty()
  nodeId!: string;
  @ApiPropertyOptional({ enum: ['voter', 'learner', 'none'] })
  role?: string;
  @ApiPropertyOptional({ type: String, nullable: true })
  incarnation?: string | null;
  @ApiProperty()
  reachable!: boolean;
  @ApiProperty({ type: 'integer', nullable: true })
  lastSeenMs!: number | null;
  @ApiProperty()
  appliedSlot!: number;
  @ApiPropertyOptional()
  caughtUp?: boolean;
}

/** Proposal counters. */
export class ProposalCountsDto {
  @ApiProperty()
  chosen!: number;
  @ApiProperty()
  failed!: number;
  @ApiProperty()
  inFlight!: number;
}

/** One projection's position. */
export class ProjectionPositionDto {
  @ApiProperty()
  name!: string;
  @ApiProperty()
  position!: number;
  @ApiProperty()
  lag!: number;
}

/** A saga that waits for an operator. */
export class SagaNeedingOperatorDto {
  @ApiProperty()
  sagaId!: string;
  @ApiProperty()
  step!: string;
  @ApiProperty()
  reason!: string;
}

/** Open sagas. */
export class ClusterSagasDto {
  @ApiProperty()
  open!: number;
  @ApiProperty({ type: [SagaNeedingOperatorDto] })
  needingOperator!: SagaNeedingOperatorDto[];
}

/** GET /api/cluster/status (more fields may appear: protocol counters and the like). */
export class ClusterStatusDto {
  @ApiProperty({ example: 'n1' })
  nodeId!: string;
  @ApiProperty({ example: 'leader' })
  role!: string;
  @ApiPropertyOptional()
  voting?: boolean;
  @ApiPropertyOptional()
  notVotingReason?: string;
  @ApiProperty({ type: String, nullable: true })
  leaderId!: string | null;
  @ApiProperty({ example: '3.n1' })
  ballot!: string;
  @ApiProperty()
  chosenSlot!: number;
  @ApiProperty()
  appliedSlot!: number;
  @ApiPropertyOptional()
  logPosition?: number;
  @ApiPropertyOptional({ type: 'integer', nullable: true })
  httpPort?: number | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'http://127.0.0.1:3001',
    description: "This node's advertised HTTP base URL (ADVERTISED_HTTP_URL, else from HTTP_HOST and the port), null when unknown.",
  })
  httpUrl?: string | null;
  @ApiProperty({ type: [ClusterMemberDto] })
  members!: ClusterMemberDto[];
  @ApiProperty({ type: ProposalCountsDto })
  proposals!: ProposalCountsDto;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  protocol?: Record<string, unknown>;
  @ApiProperty({ type: [ProjectionPositionDto] })
  projections!: ProjectionPositionDto[];
  @ApiPropertyOptional({ type: ClusterSagasDto })
  sagas?: ClusterSagasDto;
  @ApiPropertyOptional()
  incarnation?: string;
  @ApiPropertyOptional({ example: 'Asia/Shanghai', description: "The school's time zone this node counts days in (SCHOOL_TIME_ZONE): the same on every node." })
  schoolTimeZone?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'The configuration decided by the log: version, voters, learners, fromSlot, latest changes.' })
  configuration?: Record<string, unknown>;
}

/** One member as it reports itself (`status`), or why it did not answer (`error`). */
export class ClusterNodeDto {
  @ApiProperty({ example: 'n2' })
  nodeId!: string;
  @ApiProperty({ description: 'false when the node did not answer within the timeout (stopped, cut off, or overloaded)' })
  reachable!: boolean;
  @ApiPropertyOptional({ type: ClusterStatusDto, description: 'the node\'s own status document, when reachable' })
  status?: ClusterStatusDto;
  @ApiPropertyOptional({ example: 'timeout', description: 'why the node did not answer, when unreachable' })
  error?: string;
}

/** GET /api/cluster/nodes: every member's own view. */
export class ClusterNodesDto {
  @ApiProperty({ type: [ClusterNodeDto] })
  nodes!: ClusterNodeDto[];
}

/** A health answer. */
export class HealthDto {
  @ApiProperty({ example: 'ok' })
  status!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  details?: Record<string, unknown>;
}

/** A readiness or writability probe's answer (`GET /health/ready`, `GET /health/writable`), 200 or 503 alike. */
export class ProbeDto {
  @ApiProperty({ enum: ['ok', 'error'], example: 'ok' })
  status!: 'ok' | 'error';
  @ApiProperty({ description: 'whether this node counts on a quorum now (reads are served either way)' })
  quorum!: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'n1' })
  leaderId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'each check: `{status: up|down, ...}`' })
  details!: Record<string, unknown>;
}
