import { parseCommandRecord, planCommand } from '../../../src/infra/mysql/command-record';

const payload = (streamType: string, streamId: string) =>
  JSON.stringify({ events: [{ streamType, streamId, type: 'RecordAppended', schemaVersion: 1, data: null }] });

describe('command records name bounded streams', () => {
  it('accepts stream types of [a-z0-9_-] up to 32 and ids of visible ASCII up to 128', () => {
    expect(parseCommandRecord(payload('log', 's1'))).not.toBeNull();
    expect(parseCommandRecord(payload('a'.repeat(32), 'x'.repeat(128)))).not.toBeNull();
    expect(parseCommandRecord(payload('student', 'saga-0123456789abcdef:~!'))).not.toBeNull();
  });

  it.each([
    ['a 129-character id', 'log', 'x'.repeat(129)],
    ['an empty id', 'log', ''],
    ['an id with a space', 'log', 'a b'],
    ['an id with a control character', 'log', 'a\u0000b'],
    ['an id beyond ASCII', 'log', 'é'],
    ['a 33-character type', 'a'.repeat(33), 's'],
    ['an upper-case type', 'Log', 's'],
    ['an empty type', '', 's'],
  ])('rejects %s, on every node alike, before it could reach the table', (_name, streamType, streamId) => {
    expect(parseCommandRecord(payload(streamType, streamId))).toBeNull();
    const planned = planCommand(7, 'c-1', parseCommandRecord(payload(streamType, streamId)), 1, () => 0);
    expect(planned).toEqual({ rows: [], outcome: { commandId: 'c-1', slot: 7, status: 'rejected', reason: 'malformed command record' } });
  });
});
