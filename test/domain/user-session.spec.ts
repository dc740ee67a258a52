import {
  type EndUserSession,
  type UserSessionEnded,
  evolveUser,
  initialUserState,
  previousVersionOf,
} from '../../src/domain';
import { user } from './deciders';
import { NOW, admin, club, ref, studentActor, teacher, userCreated, userDisabled } from './fixtures';

const EXPIRES = '2025-03-01T09:00:00.000Z';
const TOKEN = 'q7ZcR1aB9xYz0Kd2';

const end = (username = 'ms.lee', tokenId = TOKEN, expiresAt = EXPIRES): EndUserSession => ({ type: 'EndUserSession', data: { username, tokenId, expiresAt } });

const ended = (username = 'ms.lee', actor = teacher, tokenId = TOKEN): UserSessionEnded => ({
  type: 'UserSessionEnded',
  schemaVersion: 1,
  streamType: 'user',
  streamId: username,
  data: { username, tokenId, expiresAt: EXPIRES, actor: ref(actor), at: NOW },
});

describe('EndUserSession (logout)', () => {
  it.each([
    ['teacher', teacher],
    ['club', club],
    ['student', studentActor],
    ['admin', admin],
  ] as const)('ends a session of a user who is %s, decided by that user: UserSessionEnded with the token id and its expiry', (role, actor) => {
    const username = actor.username;
    user
      .given([userCreated(username, role, role === 'student' ? 's-1' : undefined)])
      .when(end(username), { actor })
      .then([ended(username, actor)]);
  });

  it('ends a session of a disabled user too (their tokens are refused anyway; the record does no harm)', () => {
    user
      .given([userCreated('ms.lee', 'teacher'), userDisabled('ms.lee')])
      .when(end(), { actor: teacher })
      .then([ended()]);
  });

  it("refuses to end someone else's session, an admin's request included: forbidden", () => {
    for (const actor of [admin, club, studentActor]) {
      user
        .given([userCreated('ms.lee', 'teacher')])
        .when(end(), { actor })
        .thenRefused('forbidden', new RegExp(`${actor.username} may not end a session of ms.lee`));
    }
  });

  it('refuses a user the log does not know: not-found', () => {
    user
      .given([])
      .when(end(), { actor: teacher })
      .thenRefused('not-found', /ms.lee does not exist/);
  });

  it.each([
    ['an empty token id', end('ms.lee', ''), /tokenId must be/],
    ['a token id over 64 characters', end('ms.lee', 'a'.repeat(65)), /tokenId must be/],
    ['a token id with other characters', end('ms.lee', 'a.b'), /tokenId must be/],
    ['an expiry that is no time', end('ms.lee', TOKEN, 'tomorrow'), /expiresAt must be an ISO-8601 UTC time/],
    ['an expiry not in UTC ISO form', end('ms.lee', TOKEN, '2025-03-01T10:00:00+01:00'), /expiresAt must be/],
  ])('refuses %s: invalid', (_what, command, message) => {
    user
      .given([userCreated('ms.lee', 'teacher')])
      .when(command, { actor: teacher })
      .thenRefused('invalid', message);
  });

  it("takes a SHA-256 in base64url as the token id (a token without jti), and 64 characters", () => {
    const hash = 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg';
    user.given([userCreated('ms.lee', 'teacher')]).when(end('ms.lee', hash), { actor: teacher }).then([ended('ms.lee', teacher, hash)]);
    user.given([userCreated('ms.lee', 'teacher')]).when(end('ms.lee', 'a'.repeat(64)), { actor: teacher }).then([ended('ms.lee', teacher, 'a'.repeat(64))]);
  });

  it('changes nothing the aggregate decides on but its version', () => {
    const state = [userCreated('ms.lee', 'teacher'), userDisabled('ms.lee')].reduce(evolveUser, initialUserState);
    expect(evolveUser(state, ended())).toEqual({ ...state, version: state.version + 1 });
  });

  it('is not written while the cluster may still run the previous release (it could not read it)', () => {
    expect(previousVersionOf(ended())).toBeNull();
  });
});
