import fc from 'fast-check';
import {
  type ApplicationCommand,
  type DomainEvent,
  type StudentCommand,
  type UserCommand,
  DEFAULT_SCORE_RULES,
  decideApplication,
  decideStudent,
  decideUser,
  evolveApplication,
  evolveStudent,
  evolveUser,
  initialApplicationState,
  initialStudentState,
  initialUserState,
} from '../../../src/domain';
import { type Logged, foldReadModels } from '../../../src/projections';
import { admin, club, teacher } from '../../domain/fixtures';

/** A student's commands, as an admin would send them (some refused, which decide no events). */
const studentCommandArb: fc.Arbitrary<StudentCommand> = fc.oneof(
  fc.record({ initialScore: fc.integer({ min: 0, max: 200 }) }).map(({ initialScore }) => ({
    type: 'RegisterStudent' as const,
    data: { studentId: 's-1', name: 'Kim', className: '7A', initialScore },
  })),
  fc
    .record({ name: fc.constantFrom('Kim', 'Kim Min', ' Lee '), className: fc.constantFrom('7A', '7B', undefined) })
    .map((d) => ({
      type: 'CorrectStudentDetails' as const,
      data: { studentId: 's-1', ...d },
    })),
  fc.integer({ min: -60, max: 60 }).map((delta) => ({
    type: 'ModifyScore' as const,
    data: { studentId: 's-1', delta, reason: 'behaviour', source: 'direct' as const },
  })),
  fc.constantFrom<StudentCommand>(
    { type: 'FreezeStudent', data: { studentId: 's-1' } },
    { type: 'UnfreezeStudent', data: { studentId: 's-1' } },
    { type: 'ArchiveStudent', data: { studentId: 's-1' } },
  ),
);

/** Positions events the way the log would, from 1. */
const positioned = (events: DomainEvent[]): Logged<DomainEvent>[] => events.map((e, i) => ({ ...e, position: i + 1 }));
const nowAt = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();

describe('read models agree with the aggregates (property)', () => {
  it('the students row equals the fold of the student stream, and its records sum to the score change', () => {
    fc.assert(
      fc.property(fc.array(studentCommandArb, { maxLength: 40 }), (commands) => {
        let state = initialStudentState;
        const events: DomainEvent[] = [];
        commands.forEach((command, i) => {
          const decision = decideStudent(state, command, { actor: admin, now: nowAt(i) }, DEFAULT_SCORE_RULES);
          if (!decision.ok) return;
          state = decision.events.reduce(evolveStudent, state);
          events.push(...decision.events);
        });
        const models = foldReadModels(positioned(events));
        const row = models.students.get('s-1');
        if (!state.exists) return expect(row).toBeUndefined();
        expect(row).toMatchObject({
          name: state.name,
          class_name: state.className,
          score: state.score,
          initial_score: state.initialScore,
          frozen: state.frozen,
          archived: state.archived,
          position: events.length,
        });
        const recorded = [...models.score_records.values()].reduce((sum, r) => sum + r.delta, 0);
        expect(state.initialScore + recorded).toBe(state.score);
      }),
      { numRuns: 300 },
    );
  });

  it('the applications row has the status of the application stream; the users row the role, binding and flag of the user stream', () => {
    const userCommandArb = fc.oneof(
      fc.constantFrom<UserCommand>(
        {
          type: 'CreateUser',
          data: { username: 'kim', passwordHash: 'h$secret', role: 'student', displayName: 'Kim', studentId: 's-1' },
        },
        { type: 'ChangeUserRole', data: { username: 'kim', role: 'teacher' } },
        { type: 'ChangeUserRole', data: { username: 'kim', role: 'student', studentId: 's-2' } },
        { type: 'DisableUser', data: { username: 'kim' } },
        { type: 'EnableUser', data: { username: 'kim' } },
      ),
    );
    const applicationCommandArb = fc.constantFrom<ApplicationCommand>(
      { type: 'SubmitApplication', data: { applicationId: 'app-1', studentId: 's-1', delta: 5, reason: 'helped' } },
      { type: 'ReviewApplication', data: { applicationId: 'app-1', decision: 'approve', comment: 'ok' } },
      { type: 'ReviewApplication', data: { applicationId: 'app-1', decision: 'reject', comment: 'no' } },
    );
    fc.assert(
      fc.property(
        fc.array(userCommandArb, { maxLength: 15 }),
        fc.array(applicationCommandArb, { maxLength: 6 }),
        (userCommands, appCommands) => {
          let user = initialUserState;
          let application = initialApplicationState;
          const student = evolveStudent(initialStudentState, {
            type: 'StudentRegistered',
            schemaVersion: 1,
            streamType: 'student',
            streamId: 's-1',
            data: { studentId: 's-1', name: 'Kim', className: '7A', initialScore: 100, actor: admin, at: nowAt(0) },
          });
          const events: DomainEvent[] = [];
          userCommands.forEach((command, i) => {
            const decision = decideUser(user, command, { actor: admin, now: nowAt(i) });
            if (!decision.ok) return;
            user = decision.events.reduce(evolveUser, user);
            events.push(...decision.events);
          });
          appCommands.forEach((command, i) => {
            const actor = command.type === 'SubmitApplication' ? (i % 2 ? teacher : club) : admin;
            const decision = decideApplication(application, student, command, { actor, now: nowAt(i) });
            if (!decision.ok) return;
            for (const e of decision.events)
              if (e.streamType === 'application') application = evolveApplication(application, e);
            events.push(...decision.events);
          });
          const models = foldReadModels(positioned(events));
          if (user.exists) {
            expect(models.users.get('kim')).toMatchObject({
              role: user.role,
              display_name: user.displayName,
              student_id: user.studentId,
              disabled: user.disabled,
            });
            expect(JSON.stringify([...models.users.values()])).not.toContain('secret');
          }
          if (application.exists) {
            expect(models.applications.get('app-1')).toMatchObject({
              status: application.status,
              submitted_by: application.submittedBy,
              delta: application.delta,
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
