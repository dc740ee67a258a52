import fc from 'fast-check';
import { type ActorRef, type DomainEvent, ROLES, SCORE_SOURCES, domainEvent } from '../../../src/domain';

/** Small id pools, so random sequences hit the same rows often (and sometimes change a row before creating it). */
export const STUDENT_IDS = ['s-1', 's-2', 's-3'];
export const APPLICATION_IDS = ['app-1', 'app-2', 'app-3'];
export const USERNAMES = ['kim', 'ms.lee', 'chess.club'];

/** Every UserCreated of these arbitraries carries a hash starting so; no read model may hold it. */
export const PASSWORD_HASH_MARK = '$argon2id$v=19$secret-';

/** Texts SQL escaping must survive: quotes, backslashes, NUL, emoji, trailing spaces, any grapheme. */
export const textArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom("O'Brien", 'back\\slash\\', 'say "hi"', 'nul\u0000byte', '🙂 emoji', ' padded  ', '', '%_?'),
);

/** Times as the domain writes them (ISO-8601 UTC with ms), sometimes without milliseconds. */
export const timeArb = fc
  .tuple(
    fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
    fc.boolean(),
  )
  .map(([d, short]) => (short ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : d.toISOString()));

const actorArb: fc.Arbitrary<ActorRef> = fc.record({
  username: fc.constantFrom(...USERNAMES, 'root'),
  role: fc.constantFrom(...ROLES),
});
const scoreArb = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger());
const optionalId = (ids: string[]) => fc.option(fc.constantFrom(...ids), { nil: undefined });
const withOptional = <T extends object>(data: T): T =>
  Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as T;

const studentEventArb: fc.Arbitrary<DomainEvent> = fc
  .record({
    kind: fc.integer({ min: 0, max: 9 }),
    studentId: fc.constantFrom(...STUDENT_IDS),
    text: textArb,
    text2: textArb,
    score: scoreArb,
    delta: scoreArb,
    source: fc.constantFrom(...SCORE_SOURCES),
    sagaId: optionalId(['saga-1', 'saga-2']),
    applicationId: optionalId(APPLICATION_IDS),
    actor: actorArb,
    at: timeArb,
  })
  .map(({ kind, studentId, text, text2, score, delta, source, sagaId, applicationId, actor, at }) => {
    const s = (type: string, data: object) =>
      domainEvent('student', studentId, type, { studentId, ...data, actor, at });
    switch (kind) {
      case 0:
        return s('StudentRegistered', { name: text, className: text2, initialScore: score });
      case 1:
        return s('StudentDetailsCorrected', { name: text, previousName: text2 });
      case 2:
        return s('StudentMovedToClass', { fromClassName: text2, toClassName: text });
      case 3:
        return s('StudentFrozen', withOptional({ sagaId }));
      case 4:
        return s('StudentUnfrozen', withOptional({ sagaId }));
      case 5:
        return s('StudentArchived', { finalScore: score });
      default: // score changes are most of a real log
        return s(
          'ScoreModified',
          withOptional({
            delta,
            reason: text,
            source,
            previousScore: score,
            newScore: score + 1,
            sagaId,
            applicationId,
          }),
        );
    }
  });

const applicationEventArb: fc.Arbitrary<DomainEvent> = fc
  .record({
    kind: fc.integer({ min: 0, max: 2 }),
    applicationId: fc.constantFrom(...APPLICATION_IDS),
    studentId: fc.constantFrom(...STUDENT_IDS),
    delta: scoreArb,
    text: textArb,
    newScore: scoreArb,
    actor: actorArb,
    at: timeArb,
  })
  .map(({ kind, applicationId, studentId, delta, text, newScore, actor, at }) => {
    const a = (type: string, data: object) =>
      domainEvent('application', applicationId, type, { applicationId, studentId, ...data, actor, at });
    if (kind === 0) return a('ApplicationSubmitted', { delta, reason: text });
    if (kind === 1) return a('ApplicationApproved', { delta, comment: text, newScore });
    return a('ApplicationRejected', { comment: text });
  });

const userEventArb: fc.Arbitrary<DomainEvent> = fc
  .record({
    kind: fc.integer({ min: 0, max: 7 }),
    username: fc.constantFrom(...USERNAMES),
    role: fc.constantFrom(...ROLES),
    previousRole: fc.constantFrom(...ROLES),
    studentId: optionalId(STUDENT_IDS),
    displayName: textArb,
    classes: fc.uniqueArray(textArb, { maxLength: 3 }),
    salt: fc.string({ maxLength: 8 }),
    tokenId: fc.stringMatching(/^[A-Za-z0-9_-]{16}$/),
    actor: actorArb,
    at: timeArb,
  })
  .map(({ kind, username, role, previousRole, studentId, displayName, classes, salt, tokenId, actor, at }) => {
    const u = (type: string, data: object) => domainEvent('user', username, type, { username, ...data, actor, at });
    if (kind === 0)
      return u('UserCreated', withOptional({ passwordHash: PASSWORD_HASH_MARK + salt, role, displayName, studentId }));
    if (kind === 1) return u('UserRoleChanged', withOptional({ role, previousRole, studentId }));
    if (kind === 4) return u('UserPasswordReset', { passwordHash: PASSWORD_HASH_MARK + salt });
    if (kind === 5) return u('UserRenamed', { displayName });
    if (kind === 6) return u('UserClassesAssigned', { classes });
    if (kind === 7) return u('UserSessionEnded', { tokenId, expiresAt: at });
    return u(kind === 2 ? 'UserDisabled' : 'UserEnabled', {});
  });

const reasonEventArb: fc.Arbitrary<DomainEvent> = fc
  .record({
    created: fc.boolean(),
    code: fc.constantFrom('helped', 'late'),
    labelZh: textArb,
    labelEn: textArb,
    defaultDelta: fc.integer({ min: -100, max: 100 }),
    polarity: fc.constantFrom('positive', 'negative'),
    active: fc.boolean(),
    actor: actorArb,
    at: timeArb,
  })
  .map(({ created, code, ...data }) => domainEvent('reason', code, created ? 'ReasonCreated' : 'ReasonUpdated', { code, ...data }));

const archiveEventArb: fc.Arbitrary<DomainEvent> = fc
  .record({
    kind: fc.integer({ min: 0, max: 3 }),
    archiveId: fc.constantFrom('saga-1', 'saga-2'),
    semester: fc.constantFrom('2025-spring', '2025-fall'),
    className: fc.option(textArb, { nil: null }),
    students: fc.array(fc.record({ studentId: fc.constantFrom(...STUDENT_IDS), name: textArb, className: textArb, score: scoreArb }), { maxLength: 3 }),
    count: fc.nat(5000),
    at: timeArb,
  })
  .map(({ kind, archiveId, semester, className, students, count, at }) => {
    const header = { archiveId, sagaId: archiveId, semester, className, at };
    if (kind <= 1) return domainEvent('archive', archiveId, 'ArchiveSnapshotTaken', { ...header, students });
    if (kind === 2) return domainEvent('archive', archiveId, 'ArchiveCompleted', { ...header, studentCount: count });
    return domainEvent('archive', archiveId, 'ArchiveDiscarded', header);
  });

/** Events of other stream types, which projections skip (a saga's own events change no row). */
const logEventArb: fc.Arbitrary<DomainEvent> = fc
  .record({ streamId: fc.constantFrom('l-1', 's-1', 'kim'), text: textArb })
  .map(({ streamId, text }) =>
    streamId === 'l-1' ? domainEvent('log', streamId, 'RecordAppended', { id: text }) : domainEvent('saga', 'saga-1', 'StepSucceeded', { sagaId: 'saga-1', step: text, at: '2025-01-01T00:00:00.000Z' }),
  );

/** Any event a log may hold: the domain's, not necessarily in an order the domain would decide, and others. */
export const anyEventArb: fc.Arbitrary<DomainEvent> = fc.oneof(
  { weight: 5, arbitrary: studentEventArb },
  { weight: 2, arbitrary: applicationEventArb },
  { weight: 2, arbitrary: userEventArb },
  { weight: 1, arbitrary: archiveEventArb },
  { weight: 1, arbitrary: reasonEventArb },
  { weight: 1, arbitrary: logEventArb },
);

/** Log entries: each a command's events (one to three, like an approval's two). */
export const commandsArb = (maxLength: number): fc.Arbitrary<DomainEvent[][]> =>
  fc.array(fc.array(anyEventArb, { minLength: 1, maxLength: 3 }), { maxLength });
