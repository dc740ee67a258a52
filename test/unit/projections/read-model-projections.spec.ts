import {
  type ApplicationEvent,
  type DomainEvent,
  type StudentEvent,
  type UserEvent,
  domainEvent,
} from '../../../src/domain';
import {
  type Logged,
  USERS_PROJECTION,
  applicationChange,
  foldReadModels,
  scoreRecordChange,
  studentChange,
  userChange,
} from '../../../src/projections';
import {
  NOW,
  admin,
  applicationApproved,
  applicationRejected,
  applicationSubmitted,
  ref,
  scoreModified,
  studentArchived,
  studentFrozen,
  studentRegistered,
  studentUnfrozen,
  teacher,
  userCreated,
  userDisabled,
} from '../../domain/fixtures';

/** The event at log position `position`. */
const at = <E extends DomainEvent>(event: E, position: number): Logged<E> => ({ ...event, position });
const LATER = '2025-03-02T09:30:00.000Z';

describe('students projection', () => {
  it('given a registration, then the whole row is set, the score starting at the initial score', () => {
    expect(studentChange(at(studentRegistered(120), 1))).toEqual({
      table: 'students',
      key: 's-1',
      set: {
        name: 'Kim Min',
        class_name: '7A',
        score: 120,
        initial_score: 120,
        frozen: false,
        archived: false,
        updated_at: NOW,
        position: 1,
      },
    });
  });

  it.each<[string, StudentEvent, object]>([
    ['a score change sets the new score', scoreModified(-5, 100), { score: 95 }],
    ['a freeze sets frozen', studentFrozen('saga-1'), { frozen: true }],
    ['a thaw clears frozen', studentUnfrozen(), { frozen: false }],
    ['an archive sets archived (the score stays)', studentArchived(80), { archived: true }],
    [
      'a name correction sets the name',
      domainEvent('student', 's-1', 'StudentDetailsCorrected', {
        studentId: 's-1',
        name: 'Kim Min-ji',
        previousName: 'Kim Min',
        actor: ref(admin),
        at: NOW,
      }),
      { name: 'Kim Min-ji' },
    ],
    [
      'a move sets the class',
      domainEvent('student', 's-1', 'StudentMovedToClass', {
        studentId: 's-1',
        fromClassName: '7A',
        toClassName: '7B',
        actor: ref(admin),
        at: NOW,
      }),
      { class_name: '7B' },
    ],
  ])('given %s, then only that field moves, with updated_at and position', (_, event, fields) => {
    expect(studentChange(at(event, 7))).toEqual({
      table: 'students',
      key: 's-1',
      set: { ...fields, updated_at: NOW, position: 7 },
    });
  });

  it('normalizes a time without milliseconds to the canonical form', () => {
    const event = { ...studentFrozen(), data: { ...studentFrozen().data, at: '2025-03-01T08:00:00Z' } };
    expect(studentChange(at(event, 2)).set.updated_at).toBe('2025-03-01T08:00:00.000Z');
  });

  it('refuses (asserts) an event type it does not know', () => {
    const unknown = domainEvent('student', 's-1', 'StudentTeleported', {
      studentId: 's-1',
      at: NOW,
    }) as unknown as StudentEvent;
    expect(() => studentChange(at(unknown, 3))).toThrow(/unreachable student event/);
  });
});

describe('score_records projection', () => {
  it('given a score change, then one record keyed by its position with delta, reason, actor, source and new score', () => {
    const event = scoreModified(10, 100, { source: 'application', applicationId: 'app-1', actor: ref(admin) });
    expect(scoreRecordChange(at(event, 42))).toEqual({
      table: 'score_records',
      key: 42,
      set: {
        student_id: 's-1',
        delta: 10,
        reason: 'helped a classmate',
        reason_code: null,
        actor: 'root',
        actor_role: 'admin',
        source: 'application',
        new_score: 110,
        saga_id: null,
        application_id: 'app-1',
        at: NOW,
      },
    });
  });

  it('given any other student event, then no record', () => {
    for (const event of [studentRegistered(), studentFrozen(), studentUnfrozen(), studentArchived()]) {
      expect(scoreRecordChange(at(event, 1))).toBeNull();
    }
  });
});

describe('applications projection', () => {
  it('given a submission, then a pending row with the submitter and submission position', () => {
    expect(applicationChange(at(applicationSubmitted(10, teacher), 5))).toEqual({
      table: 'applications',
      key: 'app-1',
      set: {
        student_id: 's-1',
        delta: 10,
        reason: 'won the maths olympiad',
        reason_code: null,
        submitted_by: 'ms.lee',
        status: 'pending',
        reviewer: null,
        comment: null,
        submitted_at: NOW,
        reviewed_at: null,
        submitted_position: 5,
        position: 5,
      },
    });
  });

  it.each<[string, ApplicationEvent, string, string]>([
    ['an approval', applicationApproved(10, 110), 'approved', 'well done'],
    ['a rejection', applicationRejected(), 'rejected', 'not enough evidence'],
  ])('given %s, then the status, reviewer, comment and review time', (_, event, status, comment) => {
    expect(applicationChange(at(event, 9))).toEqual({
      table: 'applications',
      key: 'app-1',
      set: { status, reviewer: 'root', comment, reviewed_at: NOW, position: 9 },
    });
  });
});

describe('users projection', () => {
  it('given a created user, then role, display name, binding and enabled, and never the password hash', () => {
    const event = userCreated('kim', 'student', 's-1');
    const change = userChange(at(event, 1));
    expect(change).toEqual({
      table: 'users',
      key: 'kim',
      set: { role: 'student', display_name: 'Someone', student_id: 's-1', disabled: false, classes: '[]', position: 1 },
    });
    expect(JSON.stringify(change)).not.toContain(event.data.passwordHash);
  });

  it.each<[string, UserEvent, object]>([
    [
      'a role change drops the binding',
      domainEvent('user', 'kim', 'UserRoleChanged', {
        username: 'kim',
        role: 'teacher' as const,
        previousRole: 'student' as const,
        actor: ref(admin),
        at: LATER,
      }),
      { role: 'teacher', student_id: null },
    ],
    [
      'a role change to admin drops the classes too',
      domainEvent('user', 'kim', 'UserRoleChanged', { username: 'kim', role: 'admin' as const, previousRole: 'teacher' as const, actor: ref(admin), at: LATER }),
      { role: 'admin', student_id: null, classes: '[]' },
    ],
    [
      'a role change to club keeps the classes',
      domainEvent('user', 'kim', 'UserRoleChanged', { username: 'kim', role: 'club' as const, previousRole: 'teacher' as const, actor: ref(admin), at: LATER }),
      { role: 'club', student_id: null },
    ],
    [
      'classes assigned, as a JSON list in the order given',
      domainEvent('user', 'kim', 'UserClassesAssigned', { username: 'kim', classes: ['7B', '初二(3)班'], actor: ref(admin), at: LATER }),
      { classes: '["7B","初二(3)班"]' },
    ],
    ['disabling', userDisabled('kim'), { disabled: true }],
    [
      'enabling',
      domainEvent('user', 'kim', 'UserEnabled', { username: 'kim', actor: ref(admin), at: LATER }),
      { disabled: false },
    ],
  ])('given %s, then only those fields', (_, event, fields) => {
    expect(userChange(at(event, 4))).toEqual({ table: 'users', key: 'kim', set: { ...fields, position: 4 } });
  });

  it('given a logout, then no change: the account shows nothing of it, its position included', () => {
    const ended = domainEvent('user', 'kim', 'UserSessionEnded', { username: 'kim', tokenId: 't-1', expiresAt: LATER, actor: ref(admin), at: LATER });
    expect(userChange(at(ended, 5))).toBeNull();
    expect(USERS_PROJECTION.project(at(ended, 5))).toEqual([]);
  });
});

describe('the fold of a log', () => {
  it('given an approval entry (ApplicationApproved and ScoreModified), then the application, the student and a record move together', () => {
    const state = foldReadModels([
      at(studentRegistered(100), 1),
      at(applicationSubmitted(10), 2),
      at(applicationApproved(10, 110), 3),
      at(scoreModified(10, 100, { source: 'application', applicationId: 'app-1' }), 4),
    ]);
    expect(state.students.get('s-1')).toMatchObject({ score: 110, position: 4 });
    expect(state.applications.get('app-1')).toMatchObject({ status: 'approved', submitted_position: 2, position: 3 });
    expect([...state.score_records.keys()]).toEqual([4]);
  });

  it("skips streams no projection consumes (e.g. 'log')", () => {
    const state = foldReadModels([at(domainEvent('log', 's-1', 'RecordAppended', { id: 'x' }), 1)]);
    expect([state.students.size, state.score_records.size, state.applications.size, state.users.size]).toEqual([
      0, 0, 0, 0,
    ]);
  });

  it('a change to a row before it exists starts from the table defaults (no log the domain decides does this)', () => {
    const state = foldReadModels([at(userDisabled('ghost'), 1)]);
    expect(state.users.get('ghost')).toEqual({
      username: 'ghost',
      role: '',
      display_name: '',
      student_id: null,
      disabled: true,
      position: 1,
      classes: '[]',
    });
  });

  it('refuses (asserts) a schema version no upcaster handles', () => {
    const v2 = { ...studentFrozen(), schemaVersion: 2 } as unknown as StudentEvent;
    expect(() => foldReadModels([at(v2, 1)])).toThrow(/schema version 2/);
  });
});
