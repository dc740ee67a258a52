/**
 * Shapes of the API's answers, as the node's read models define them (src/projections, src/node).
 * Request bodies and paths are checked against the generated OpenAPI types (schema.d.ts).
 */

export type Role = 'admin' | 'teacher' | 'club' | 'student';
export type ApplicationStatus = 'pending' | 'approved' | 'rejected';
export type ScoreSource = 'direct' | 'application' | 'batch' | 'compensation' | 'archive-reset';

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export interface Me {
  username: string;
  role: Role;
  displayName: string;
  studentId?: string | null;
}

export interface Student {
  studentId: string;
  name: string;
  className: string;
  score: number;
  initialScore: number;
  frozen: boolean;
  archived: boolean;
  updatedAt: string;
  position: number;
}

export interface ScoreRecord {
  position: number;
  studentId: string;
  delta: number;
  reason: string;
  reasonCode?: string | null;
  actor: { username: string; role: Role };
  source: ScoreSource;
  newScore: number;
  sagaId: string | null;
  applicationId: string | null;
  at: string;
}

export interface Application {
  applicationId: string;
  studentId: string;
  delta: number;
  reason: string;
  reasonCode?: string | null;
  submittedBy: string;
  status: ApplicationStatus;
  reviewer: string | null;
  comment: string | null;
  submittedAt: string | null;
  reviewedAt: string | null;
  position: number;
}

export interface User {
  username: string;
  role: Role;
  displayName: string;
  studentId: string | null;
  disabled: boolean;
  position: number;
}

export interface Reason {
  code: string;
  labelZh: string;
  labelEn: string;
  defaultDelta: number;
  polarity: 'positive' | 'negative';
  active: boolean;
}

export interface Archive {
  archiveId: string;
  semester: string;
  className: string | null;
  studentCount: number;
  completedAt: string;
  position: number;
}

export interface ArchivedStudent {
  archiveId: string;
  semester: string;
  studentId: string;
  name: string;
  className: string;
  score: number;
  position: number;
}

export interface StepReason {
  studentId?: string;
  code: string;
  message: string;
}

export interface Saga {
  sagaId: string;
  kind: 'batch' | 'archive';
  status: string;
  needsOperator: boolean;
  startedBy: string;
  startedAt: string;
  updatedAt: string;
  input: Record<string, unknown>;
  steps: { step: string; status: 'pending' | 'done' | 'failed' | 'compensated' | 'started' }[];
  failure: { step: string; reasons: StepReason[] } | null;
  operator: { step: string; reasons: StepReason[] } | null;
  compensated: string[];
  version: number;
  position: number;
}

export interface ClusterMember {
  nodeId: string;
  role?: string;
  caughtUp?: boolean;
  reachable: boolean;
  lastSeenMs: number | null;
  appliedSlot: number;
  url?: string | null;
  httpPort?: number | null;
}

export interface ClusterStatus {
  nodeId: string;
  role: string;
  voting?: boolean;
  notVotingReason?: string;
  leaderId: string | null;
  ballot: string;
  chosenSlot: number;
  appliedSlot: number;
  logPosition?: number;
  httpPort: number | null;
  members: ClusterMember[];
  proposals: { chosen: number; failed: number; inFlight: number };
  projections: { name: string; position: number; lag: number }[];
  sagas?: { open: number; needingOperator: { sagaId: string; step: string; reason: string }[] };
}

/** Answer of a write through the log. */
export interface WriteAnswer {
  commandId: string;
  position: number | null;
  [key: string]: unknown;
}

/** Status of a queued command (GET /api/commands/:commandId). */
export interface CommandStatus {
  commandId: string;
  status: 'pending' | 'applied' | 'rejected';
  position?: number | null;
  reason?: string;
  [key: string]: unknown;
}

export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  details?: unknown;
}
