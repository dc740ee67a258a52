import { InvalidTokenError } from '../../../src/auth/auth-errors';
import { DEVELOPMENT_JWT_SECRET, authConfigFromEnv } from '../../../src/auth/auth-config';
import { bearerToken } from '../../../src/auth/bearer-token';
import { credentialsChange, planCredentialsBatch } from '../../../src/auth/credentials-projection';
import { actorFromHeaders } from '../../../src/auth/nats-auth';
import { hashPassword } from '../../../src/auth/password';
import { tokenIdOf } from '../../../src/auth/auth.service';
import { createHash } from 'node:crypto';
import { ConfigError } from '../../../src/consensus';
import { type DomainEvent, type UserEvent, TOKEN_ID_PATTERN } from '../../../src/domain';
import type { EventLogRow, Logged } from '../../../src/projections/logged-event';
import { AssertionError } from '../../../src/shared/assert';
import { EventLogGapError } from '../../../src/projections/projection-errors';
import { InMemoryCredentials, inMemoryAuth } from './auth-test-support';

describe('bearerToken', () => {
  it('takes the token of a Bearer header, the scheme in any case', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def-_ghi')).toBe('abc.def-_ghi');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['another scheme', 'Basic cm9vdDpwdw=='],
    ['no token', 'Bearer '],
    ['two tokens', 'Bearer a b'],
    ['several headers', ['Bearer a', 'Bearer b']],
    ['too long', `Bearer ${'a'.repeat(5000)}`],
  ])('refuses a header that is %s', (_what, header) => {
    expect(() => bearerToken(header)).toThrow(InvalidTokenError);
  });
});

describe('actorFromHeaders (NATS)', () => {
  const headers = (value?: string) => ({ get: (name: string) => (name === 'Authorization' ? (value ?? '') : '') });

  it('gives the actor of the Authorization header, and refuses a missing or bad one', async () => {
    const credentials = new InMemoryCredentials();
    credentials.put({
      username: 'kim',
      passwordHash: await hashPassword('pw-123456'),
      role: 'student',
      studentId: 's-1',
      disabled: false,
      position: 1,
    });
    const auth = inMemoryAuth(credentials);
    const { accessToken } = await auth.login('kim', 'pw-123456');
    await expect(actorFromHeaders(headers(`Bearer ${accessToken}`), auth)).resolves.toEqual({
      username: 'kim',
      role: 'student',
      studentId: 's-1',
    });
    await expect(actorFromHeaders(headers(), auth)).rejects.toThrow(InvalidTokenError);
    await expect(actorFromHeaders(undefined, auth)).rejects.toThrow(InvalidTokenError);
    await expect(actorFromHeaders(headers('Bearer nope'), auth)).rejects.toThrow(InvalidTokenError);
  });
});

describe('AuthService and logouts', () => {
  async function signedIn(expiresInSeconds = 3600) {
    const credentials = new InMemoryCredentials();
    credentials.put({ username: 'kim', passwordHash: await hashPassword('pw-123456'), role: 'student', studentId: 's-1', disabled: false, position: 1 });
    const auth = inMemoryAuth(credentials, expiresInSeconds);
    return { credentials, auth, first: (await auth.login('kim', 'pw-123456')).accessToken, second: (await auth.login('kim', 'pw-123456')).accessToken };
  }

  it("names a session by its token's jti, with its actor and expiry", async () => {
    const { auth, first, second } = await signedIn();
    const session = auth.session(first)!;
    const claims = JSON.parse(Buffer.from(first.split('.')[1], 'base64url').toString('utf8')) as { jti: string; exp: number };
    expect(session).toEqual({ actor: { username: 'kim', role: 'student', studentId: 's-1' }, tokenId: claims.jti, expiresAt: new Date(claims.exp * 1000).toISOString() });
    expect(session.tokenId).toMatch(TOKEN_ID_PATTERN);
    expect(auth.session(second)!.tokenId).not.toBe(session.tokenId);
    expect(auth.session('nope')).toBeUndefined();
    expect(auth.session(undefined)).toBeUndefined();
  });

  it('names a token without a jti by its SHA-256 (a token of an older release)', () => {
    expect(tokenIdOf('a.b.c', {})).toBe(createHash('sha256').update('a.b.c').digest('base64url'));
    expect(tokenIdOf('a.b.c', { jti: 'has.a.dot' })).toBe(tokenIdOf('a.b.c', {}));
    expect(tokenIdOf('a.b.c', { jti: 'abc_-9' })).toBe('abc_-9');
  });

  it('refuses a token at once on the node that logged it out, and keeps the same user\'s other session', async () => {
    const { auth, first, second } = await signedIn();
    expect(auth.revoke(first)?.actor.username).toBe('kim');
    await expect(auth.verify(first)).rejects.toThrow('token no longer valid: logged out');
    await expect(auth.verify(second)).resolves.toEqual({ username: 'kim', role: 'student', studentId: 's-1' });
    expect(auth.revoke('not-a-token')).toBeUndefined();
  });

  it('refuses a token that the credentials hold as logged out (another node logged it out), with the same message', async () => {
    const { credentials, auth, first, second } = await signedIn();
    credentials.revoked.add(auth.session(first)!.tokenId);
    await expect(auth.verify(first)).rejects.toThrow(new InvalidTokenError('token no longer valid: logged out'));
    await expect(auth.verify(second)).resolves.toMatchObject({ username: 'kim' });
  });
});

describe('authConfigFromEnv', () => {
  const secret = 's'.repeat(32);

  it('refuses to start without a secret, saying what to set', () => {
    expect(() => authConfigFromEnv({})).toThrow(ConfigError);
    expect(() => authConfigFromEnv({})).toThrow(/JWT_SECRET is not set.*at least 32 bytes/);
    expect(() => authConfigFromEnv({ NODE_ENV: 'test' })).toThrow(ConfigError);
    expect(() => authConfigFromEnv({ NODE_ENV: 'production', JWT_SECRET: '' })).toThrow(ConfigError);
  });

  it('uses the public development secret only when NODE_ENV=development names it', () => {
    expect(authConfigFromEnv({ NODE_ENV: 'development' })).toEqual({
      jwtSecrets: [{ kid: 'development', secret: DEVELOPMENT_JWT_SECRET }],
      tokenExpiresInSeconds: 3600,
      developmentSecret: true,
    });
  });

  it('reads JWT_SECRET (kid default) and JWT_EXPIRES_IN_SECONDS', () => {
    const config = authConfigFromEnv({ JWT_SECRET: secret, JWT_EXPIRES_IN_SECONDS: '900', NODE_ENV: 'production' });
    expect(config).toEqual({ jwtSecrets: [{ kid: 'default', secret }], tokenExpiresInSeconds: 900, developmentSecret: false });
  });

  it('reads JWT_SECRETS as kid:secret pairs, the first signing (a secret may hold a colon)', () => {
    const config = authConfigFromEnv({ JWT_SECRETS: `2025-09:${secret}:x, 2025-03:${'t'.repeat(40)}` });
    expect(config.jwtSecrets).toEqual([
      { kid: '2025-09', secret: `${secret}:x` },
      { kid: '2025-03', secret: 't'.repeat(40) },
    ]);
  });

  it.each([
    ['a secret of 31 bytes', { JWT_SECRET: 's'.repeat(31) }],
    ['a short secret even in development', { JWT_SECRET: 'short', NODE_ENV: 'development' }],
    ['both JWT_SECRET and JWT_SECRETS', { JWT_SECRET: secret, JWT_SECRETS: `a:${secret}` }],
    ['a JWT_SECRETS entry without a kid', { JWT_SECRETS: secret }],
    ['a JWT_SECRETS key that is short', { JWT_SECRETS: `a:${secret},b:short` }],
    ['a kid named twice', { JWT_SECRETS: `a:${secret},a:${secret}x` }],
    ['a kid with spaces', { JWT_SECRETS: `a b:${secret}` }],
    ['a zero expiry', { JWT_SECRET: secret, JWT_EXPIRES_IN_SECONDS: '0' }],
    ['a non-numeric expiry', { JWT_SECRET: secret, JWT_EXPIRES_IN_SECONDS: '1h' }],
    ['an expiry beyond a week', { JWT_SECRET: secret, JWT_EXPIRES_IN_SECONDS: String(8 * 24 * 3600) }],
  ])('refuses %s', (_what, env) => {
    expect(() => authConfigFromEnv(env)).toThrow(ConfigError);
  });
});

describe('the credentials projection (pure)', () => {
  const at = '2025-03-01T08:00:00.000Z';
  const actor = { username: 'root', role: 'admin' as const };
  const row = (position: number, event: DomainEvent): EventLogRow => ({
    position,
    stream_type: event.streamType,
    stream_id: event.streamId,
    type: event.type,
    schema_version: event.schemaVersion,
    data: JSON.stringify(event.data),
  });
  const user = (type: string, data: object): DomainEvent =>
    ({
      type,
      schemaVersion: 1,
      streamType: 'user',
      streamId: 'kim',
      data: { username: 'kim', actor, at, ...data },
    }) as DomainEvent;
  const student: DomainEvent = {
    type: 'StudentRegistered',
    schemaVersion: 1,
    streamType: 'student',
    streamId: 's-1',
    data: {},
  } as DomainEvent;

  it('given a user created, disabled, re-enabled and made a teacher, folds one row holding the hash', () => {
    const rows = [
      row(1, user('UserCreated', { passwordHash: 'scrypt$h', role: 'student', studentId: 's-1', displayName: 'Kim' })),
      row(2, student),
      row(3, user('UserDisabled', {})),
      row(4, user('UserEnabled', {})),
      row(5, user('UserRoleChanged', { role: 'teacher', previousRole: 'student' })),
    ];
    const batch = planCredentialsBatch(rows, 0);
    expect(batch.last).toBe(5);
    expect(batch.events).toBe(5);
    expect([...batch.changes]).toEqual([
      ['kim', { password_hash: 'scrypt$h', role: 'teacher', student_id: null, disabled: false, position: 5 }],
    ]);
  });

  it("covers a teacher's classes assigned without moving the row's position (no token is voided by it)", () => {
    const rows = [row(1, user('UserCreated', { passwordHash: 'scrypt$h', role: 'teacher', displayName: 'Kim' })), row(2, user('UserClassesAssigned', { classes: ['7A'] }))];
    const batch = planCredentialsBatch(rows, 0);
    expect(batch).toMatchObject({ last: 2, events: 2 });
    expect(batch.changes.get('kim')).toMatchObject({ position: 1 });
    expect(planCredentialsBatch([row(3, user('UserClassesAssigned', { classes: [] }))], 2).changes.size).toBe(0);
  });

  it("covers a logout without moving the row's position (the user's other tokens stay valid), and lists the token it revokes", () => {
    const ended = (tokenId: string) => user('UserSessionEnded', { tokenId, expiresAt: '2025-03-01T09:00:00.000Z' });
    const rows = [row(1, user('UserCreated', { passwordHash: 'scrypt$h', role: 'teacher', displayName: 'Kim' })), row(2, ended('t-1')), row(3, ended('t-2'))];
    const batch = planCredentialsBatch(rows, 0);
    expect(batch).toMatchObject({ last: 3, events: 3 });
    expect(batch.changes.get('kim')).toMatchObject({ position: 1 });
    expect([...batch.revoked.values()]).toEqual([
      { tokenId: 't-1', username: 'kim', expiresAt: Date.parse('2025-03-01T09:00:00.000Z'), position: 2 },
      { tokenId: 't-2', username: 'kim', expiresAt: Date.parse('2025-03-01T09:00:00.000Z'), position: 3 },
    ]);
    const alone = planCredentialsBatch([row(4, ended('t-3'))], 3);
    expect(alone.changes.size).toBe(0);
    expect([...alone.revoked.keys()]).toEqual(['t-3']);
    expect(credentialsChange({ ...ended('t-3'), position: 4 } as Logged<UserEvent>)).toBeNull();
  });

  it('stops on a logout whose expiry is no time (a broken invariant)', () => {
    expect(() => planCredentialsBatch([row(1, user('UserSessionEnded', { tokenId: 't', expiresAt: 'soon' }))], 0)).toThrow(AssertionError);
  });

  it('covers events of other streams without changing anything', () => {
    const batch = planCredentialsBatch([row(8, student)], 7);
    expect(batch).toMatchObject({ last: 8, events: 1 });
    expect(batch.changes.size).toBe(0);
    expect(batch.revoked.size).toBe(0);
  });

  it('stops before a gap, and throws on a gap right after the checkpoint', () => {
    expect(planCredentialsBatch([row(1, student), row(3, student)], 0).last).toBe(1);
    expect(() => planCredentialsBatch([row(2, student)], 0)).toThrow(EventLogGapError);
  });
});
