import type {
  Actor,
  ActorRef,
  ApplicationApproved,
  ApplicationRejected,
  ApplicationSubmitted,
  ScoreModified,
  StudentArchived,
  StudentFrozen,
  StudentRegistered,
  StudentUnfrozen,
  UserCreated,
  UserDisabled,
} from '../../src/domain';

/** The time the leader decided every command of these tests. */
export const NOW = '2025-03-01T08:00:00.000Z';

export const admin: Actor = { username: 'root', role: 'admin' };
export const teacher: Actor = { username: 'ms.lee', role: 'teacher' };
export const club: Actor = { username: 'chess.club', role: 'club' };
export const studentActor: Actor = { username: 'kim', role: 'student', studentId: 's-1' };

/** The part of an actor events record. */
export const ref = (actor: Actor): ActorRef => ({ username: actor.username, role: actor.role });

/** Builders of the events tests give and expect, written out field by field (not through the domain's helpers). */
export function studentRegistered(initialScore = 100, studentId = 's-1'): StudentRegistered {
  const data = { studentId, name: 'Kim Min', className: '7A', initialScore, actor: ref(admin), at: NOW };
  return { type: 'StudentRegistered', schemaVersion: 1, streamType: 'student', streamId: studentId, data };
}

export function scoreModified(
  delta: number,
  previousScore: number,
  extra: Partial<ScoreModified['data']> = {},
): ScoreModified {
  const data = {
    studentId: 's-1',
    delta,
    reason: 'helped a classmate',
    reasonCode: null,
    source: 'direct' as const,
    actor: ref(admin),
    previousScore,
    newScore: previousScore + delta,
    at: NOW,
    ...extra,
  };
  return { type: 'ScoreModified', schemaVersion: 2, streamType: 'student', streamId: data.studentId, data };
}

export function studentFrozen(sagaId?: string): StudentFrozen {
  const data = { studentId: 's-1', actor: ref(admin), ...(sagaId ? { sagaId } : {}), at: NOW };
  return { type: 'StudentFrozen', schemaVersion: 1, streamType: 'student', streamId: 's-1', data };
}

export function studentUnfrozen(sagaId?: string): StudentUnfrozen {
  const data = { studentId: 's-1', actor: ref(admin), ...(sagaId ? { sagaId } : {}), at: NOW };
  return { type: 'StudentUnfrozen', schemaVersion: 1, streamType: 'student', streamId: 's-1', data };
}

export function studentArchived(finalScore = 100): StudentArchived {
  const data = { studentId: 's-1', finalScore, actor: ref(admin), at: NOW };
  return { type: 'StudentArchived', schemaVersion: 1, streamType: 'student', streamId: 's-1', data };
}

export function applicationSubmitted(delta = 10, by: Actor = teacher): ApplicationSubmitted {
  const data = {
    applicationId: 'app-1',
    studentId: 's-1',
    delta,
    reason: 'won the maths olympiad',
    reasonCode: null,
    actor: ref(by),
    at: NOW,
  };
  return { type: 'ApplicationSubmitted', schemaVersion: 2, streamType: 'application', streamId: 'app-1', data };
}

export function applicationApproved(delta: number, newScore: number, comment = 'well done'): ApplicationApproved {
  const data = { applicationId: 'app-1', studentId: 's-1', delta, comment, newScore, actor: ref(admin), at: NOW };
  return { type: 'ApplicationApproved', schemaVersion: 1, streamType: 'application', streamId: 'app-1', data };
}

export function applicationRejected(comment = 'not enough evidence'): ApplicationRejected {
  const data = { applicationId: 'app-1', studentId: 's-1', comment, actor: ref(admin), at: NOW };
  return { type: 'ApplicationRejected', schemaVersion: 1, streamType: 'application', streamId: 'app-1', data };
}

export function userCreated(username: string, role: UserCreated['data']['role'], studentId?: string): UserCreated {
  const data = {
    username,
    passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
    role,
    displayName: 'Someone',
    ...(studentId ? { studentId } : {}),
    actor: ref(admin),
    at: NOW,
  };
  return { type: 'UserCreated', schemaVersion: 1, streamType: 'user', streamId: username, data };
}

export function userDisabled(username: string): UserDisabled {
  const data = { username, actor: ref(admin), at: NOW };
  return { type: 'UserDisabled', schemaVersion: 1, streamType: 'user', streamId: username, data };
}
