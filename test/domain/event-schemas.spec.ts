import { EVENT_SCHEMAS, type EventSchema, currentSchemaVersion, domainEvent, previousVersionOf, upcastEvent, upcastWith } from '../../src/domain';
import { AssertionError } from '../../src/shared/assert';

const v1ScoreModified = {
  type: 'ScoreModified',
  schemaVersion: 1,
  streamType: 'student',
  streamId: 's-1',
  data: { studentId: 's-1', delta: 5, reason: 'tidy', source: 'direct', previousScore: 100, newScore: 105 },
};

describe('event schemas', () => {
  it('gives every registered type an upcaster from each older version', () => {
    for (const [type, schema] of Object.entries(EVENT_SCHEMAS as Record<string, EventSchema>)) {
      expect([type, Number.isInteger(schema.version) && schema.version >= 1]).toEqual([type, true]);
      for (let version = 1; version < schema.version; version += 1) expect([type, version, typeof schema.upcasters?.[version]]).toEqual([type, version, 'function']);
    }
  });

  it('writes ScoreModified and ApplicationSubmitted in version 2, with a reasonCode', () => {
    expect(currentSchemaVersion('ScoreModified')).toBe(2);
    expect(currentSchemaVersion('ApplicationSubmitted')).toBe(2);
    expect(currentSchemaVersion('StudentRegistered')).toBe(1);
    expect(domainEvent('student', 's-1', 'ScoreModified', { reasonCode: null }).schemaVersion).toBe(2);
  });

  it('reads a version 1 ScoreModified as version 2 with a null reasonCode, keeping the rest', () => {
    const read = upcastEvent(v1ScoreModified);
    expect(read).toEqual({ ...v1ScoreModified, schemaVersion: 2, data: { ...v1ScoreModified.data, reasonCode: null } });
    expect(v1ScoreModified.data).not.toHaveProperty('reasonCode');
  });

  it('leaves an event of the current version, and a type it does not know, as they are', () => {
    const current = { ...v1ScoreModified, schemaVersion: 2, data: { ...v1ScoreModified.data, reasonCode: 'HELP' } };
    expect(upcastEvent(current)).toBe(current);
    const appended = { type: 'RecordAppended', schemaVersion: 1, data: { id: 'x' } };
    expect(upcastEvent(appended)).toBe(appended);
  });

  it('asserts on a version newer than the release reads, and on a missing upcaster', () => {
    expect(() => upcastEvent({ ...v1ScoreModified, schemaVersion: 3 })).toThrow(AssertionError);
    expect(() => upcastEvent({ ...v1ScoreModified, schemaVersion: 0 })).toThrow(/reads versions 1..2/);
    expect(() => upcastWith({ X: { version: 3, upcasters: { 1: (d) => d } } }, { type: 'X', schemaVersion: 1, data: {} })).toThrow(/no upcaster from schema version 2/);
  });

  it('says version 2 in version 1 when the reasonCode is null, and refuses to when it names one', () => {
    const v2 = upcastEvent(v1ScoreModified);
    expect(previousVersionOf(v2)).toEqual(v1ScoreModified);
    expect(previousVersionOf({ ...v2, data: { ...v2.data, reasonCode: 'HELP' } })).toBeNull();
    const frozen = domainEvent('student', 's-1', 'StudentFrozen', { studentId: 's-1' });
    expect(previousVersionOf(frozen)).toBe(frozen);
  });
});
