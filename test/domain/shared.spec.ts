import {
  DOMAIN_ERROR_CODES,
  DOMAIN_ERROR_STATUS,
  accept,
  domainError,
  domainEvent,
  foldEvents,
  isDomainError,
  isRole,
  isoTime,
  refuse,
  scoreRules,
} from '../../src/domain';
import { AssertionError } from '../../src/shared/assert';

describe('domain shared', () => {
  it('builds events in the current schema version of their type, with their stream', () => {
    expect(domainEvent('student', 's-1', 'StudentFrozen', { studentId: 's-1' })).toEqual({
      type: 'StudentFrozen',
      schemaVersion: 1,
      streamType: 'student',
      streamId: 's-1',
      data: { studentId: 's-1' },
    });
  });

  it('maps every error code to its HTTP status', () => {
    expect(DOMAIN_ERROR_STATUS).toEqual({
      invalid: 400,
      forbidden: 403,
      'not-found': 404,
      conflict: 409,
      'rule-broken': 422,
    });
    expect(Object.keys(DOMAIN_ERROR_STATUS).sort()).toEqual([...DOMAIN_ERROR_CODES].sort());
  });

  it('accepts with events and refuses with an error, by code or error', () => {
    expect(accept([1, 2])).toEqual({ ok: true, events: [1, 2] });
    expect(refuse('conflict', 'student s-1 is frozen')).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'student s-1 is frozen' },
    });
    expect(refuse(domainError('invalid', 'bad'))).toEqual({ ok: false, error: { code: 'invalid', message: 'bad' } });
  });

  it('recognises domain errors read back from the wire', () => {
    expect(isDomainError(JSON.parse('{"code":"rule-broken","message":"out of range"}'))).toBe(true);
    expect(isDomainError({ code: 'teapot', message: 'x' })).toBe(false);
    expect(isDomainError({ code: 'conflict' })).toBe(false);
    expect(isDomainError(null)).toBe(false);
  });

  it('knows the four roles', () => {
    expect(['admin', 'teacher', 'club', 'student'].every(isRole)).toBe(true);
    expect(isRole('root')).toBe(false);
  });

  it('turns the time passed in into ISO-8601 UTC, from epoch ms or a string', () => {
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoTime(1740816000000)).toBe('2025-03-01T08:00:00.000Z');
    expect(isoTime('2025-03-01T09:00:00+01:00')).toBe('2025-03-01T08:00:00.000Z');
  });

  it('asserts on a time that cannot be read', () => {
    expect(() => isoTime('soon')).toThrow(AssertionError);
    expect(() => isoTime(Number.NaN)).toThrow(AssertionError);
  });

  it('validates configured score rules', () => {
    expect(scoreRules(-10, 10)).toEqual({ min: -10, max: 10 });
    expect(() => scoreRules(10, -10)).toThrow(AssertionError);
    expect(() => scoreRules(0, 0.5)).toThrow(AssertionError);
  });

  it('folds events from an initial state', () => {
    expect(foldEvents((sum: number, n: number) => sum + n, 10, [1, 2, 3])).toBe(16);
  });
});
