import fc from 'fast-check';
import {
  type ModifyScore,
  type ReviewApplication,
  type ScoreRules,
  type StudentState,
  decideReview,
  decideStudent,
  evolveApplication,
  evolveStudent,
  foldEvents,
  initialApplicationState,
  initialStudentState,
} from '../../src/domain';
import { NOW, admin, applicationSubmitted, club, studentFrozen, studentRegistered } from './fixtures';

/** A range and a starting score inside it. */
const rulesAndStart = fc
  .record({ min: fc.integer({ min: -1000, max: 1000 }), span: fc.integer({ min: 0, max: 500 }) })
  .chain(({ min, span }) =>
    fc.record({
      rules: fc.constant<ScoreRules>({ min, max: min + span }),
      initial: fc.integer({ min, max: min + span }),
    }),
  );

/** A score change: mostly direct, some by batch (club), deltas in and beyond the range, zero included. */
const change = fc.record({
  delta: fc.oneof(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -2000, max: 2000 })),
  batch: fc.boolean(),
});

describe('score range (property)', () => {
  it('stays within the range and equals the initial score plus the accepted deltas, for any sequence of ModifyScore', () => {
    fc.assert(
      fc.property(rulesAndStart, fc.array(change, { maxLength: 80 }), ({ rules, initial }, changes) => {
        let state: StudentState = foldEvents(evolveStudent, initialStudentState, [studentRegistered(initial)]);
        let acceptedSum = 0;
        for (const { delta, batch } of changes) {
          const command: ModifyScore = {
            type: 'ModifyScore',
            data: {
              studentId: 's-1',
              delta,
              reason: 'property',
              ...(batch ? { source: 'batch', sagaId: 'saga-1' } : { source: 'direct' }),
            },
          };
          const decision = decideStudent(state, command, { actor: batch ? club : admin, now: NOW }, rules);
          const wouldFit = delta !== 0 && state.score + delta >= rules.min && state.score + delta <= rules.max;
          expect(decision.ok).toBe(wouldFit);
          if (decision.ok) {
            expect(decision.events).toHaveLength(1);
            state = decision.events.reduce(evolveStudent, state);
            acceptedSum += delta;
          } else {
            expect(decision.error.code).toBe(delta === 0 ? 'invalid' : 'rule-broken');
          }
          expect(state.score).toBeGreaterThanOrEqual(rules.min);
          expect(state.score).toBeLessThanOrEqual(rules.max);
          expect(state.score).toBe(initial + acceptedSum);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('application approval (property)', () => {
  it('decides both streams or neither: ApplicationApproved and ScoreModified agree, or a refusal with no events', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: -300, max: 300 }).filter((d) => d !== 0),
        fc.boolean(),
        (initial, delta, frozen) => {
          const student = foldEvents(evolveStudent, initialStudentState, [
            studentRegistered(initial),
            ...(frozen ? [studentFrozen()] : []),
          ]);
          const application = evolveApplication(initialApplicationState, applicationSubmitted(delta));
          const review: ReviewApplication = {
            type: 'ReviewApplication',
            data: { applicationId: 'app-1', decision: 'approve', comment: '' },
          };
          const decision = decideReview(application, student, review, { actor: admin, now: NOW });
          const fits = initial + delta >= 0 && initial + delta <= 200;
          if (!decision.ok) {
            expect(decision.error.code).toBe(frozen ? 'conflict' : 'rule-broken');
            expect(frozen || !fits).toBe(true);
            return;
          }
          expect(frozen || !fits).toBe(false);
          const [approved, modified] = decision.events;
          expect(decision.events.map((e) => e.type)).toEqual(['ApplicationApproved', 'ScoreModified']);
          if (approved.type !== 'ApplicationApproved' || modified.type !== 'ScoreModified')
            throw new Error('event order');
          expect(approved.data.newScore).toBe(initial + delta);
          expect(modified.data).toMatchObject({
            newScore: initial + delta,
            source: 'application',
            applicationId: 'app-1',
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
