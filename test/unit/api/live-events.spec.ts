import { type ScopeLookup, eventVisibleTo } from '../../../src/api/live-events';
import type { Actor } from '../../../src/domain';

const lookup: ScopeLookup = { submitterOf: (applicationId) => (applicationId === 'app-kim' ? 'kim' : 'lee') };
const kim: Actor = { username: 'kim', role: 'teacher' };
const chess: Actor = { username: 'chess', role: 'club' };
const sam: Actor = { username: 'sam', role: 'student', studentId: 's-1' };
const root: Actor = { username: 'root', role: 'admin' };
const event = (streamType: string, streamId: string) => ({ streamType, streamId });

describe('eventVisibleTo: the live stream scoped like REST', () => {
  it("given a teacher or club, then their applications, the reason catalogue and their own user stream (their classes), nobody else's", () => {
    expect(eventVisibleTo(kim, event('application', 'app-kim'), lookup)).toBe(true);
    expect(eventVisibleTo(kim, event('application', 'app-lee'), lookup)).toBe(false);
    expect(eventVisibleTo(kim, event('reason', 'late'), lookup)).toBe(true);
    expect(eventVisibleTo(kim, event('user', 'kim'), lookup)).toBe(true);
    expect(eventVisibleTo(kim, event('user', 'lee'), lookup)).toBe(false);
    expect(eventVisibleTo(chess, event('user', 'chess'), lookup)).toBe(true);
    expect(eventVisibleTo(chess, event('user', 'kim'), lookup)).toBe(false);
    expect(eventVisibleTo(kim, event('student', 's-1'), lookup)).toBe(false);
  });

  it('given a student, then only their own student stream (not their user stream)', () => {
    expect(eventVisibleTo(sam, event('student', 's-1'), lookup)).toBe(true);
    expect(eventVisibleTo(sam, event('student', 's-2'), lookup)).toBe(false);
    expect(eventVisibleTo(sam, event('user', 'sam'), lookup)).toBe(false);
  });

  it('given an admin, then every live stream and no internal one', () => {
    for (const type of ['student', 'application', 'user', 'reason', 'saga', 'archive']) expect(eventVisibleTo(root, event(type, 'x'), lookup)).toBe(true);
    expect(eventVisibleTo(root, event('log', 'x'), lookup)).toBe(false);
    expect(eventVisibleTo(kim, event('membership', 'kim'), lookup)).toBe(false);
  });
});
