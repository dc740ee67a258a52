import { CredentialsBehindError, InvalidTokenError } from '../../../src/auth/auth-errors';
import { AuthService, tokenVerdict } from '../../../src/auth/auth.service';
import type { Credentials, CredentialsLookup } from '../../../src/auth/credentials-repository';
import { apiErrorOf } from '../../../src/api/api-error';
import { errorReply } from '../../../src/messaging/public/envelope';
import { testKeys } from './auth-test-support';

const nowSeconds = () => Math.floor(Date.now() / 1000);

function user(over: Partial<Credentials> = {}): Credentials {
  return { username: 'tina', passwordHash: 'x', role: 'teacher', studentId: null, disabled: false, position: 40, ...over };
}

describe('tokenVerdict (pure)', () => {
  const claims = { role: 'teacher' as const, ver: 40 };

  it('is valid while the token matches its user at the version it names', () => {
    expect(tokenVerdict(claims, user(), 100)).toEqual({ kind: 'valid' });
    expect(tokenVerdict({ role: 'student', sid: 's-1', ver: 40 }, user({ role: 'student', studentId: 's-1' }), 40)).toEqual({ kind: 'valid' });
  });

  it('is ahead when the token names a version beyond what this node applied: a user it does not have yet, or an older version of them', () => {
    expect(tokenVerdict({ ...claims, ver: 120 }, undefined, 100)).toEqual({ kind: 'ahead' });
    expect(tokenVerdict({ ...claims, ver: 120 }, user(), 100)).toEqual({ kind: 'ahead' });
    // A change this node has not applied may well have re-enabled the user or changed their role.
    expect(tokenVerdict({ ...claims, ver: 120 }, user({ disabled: true }), 100)).toEqual({ kind: 'ahead' });
    expect(tokenVerdict({ role: 'admin', ver: 120 }, user(), 100)).toEqual({ kind: 'ahead' });
  });

  it('refuses, with the reason, a token whose version this node has applied: no such user, disabled, changed since, never had', () => {
    expect(tokenVerdict(claims, undefined, 100)).toEqual({ kind: 'refused', reason: 'the user does not exist' });
    expect(tokenVerdict(claims, user({ disabled: true }), 100)).toEqual({ kind: 'refused', reason: 'the user is disabled' });
    expect(tokenVerdict({ role: 'admin', ver: 40 }, user(), 100)).toEqual({ kind: 'refused', reason: 'the role changed' });
    expect(tokenVerdict(claims, user({ position: 60 }), 100)).toEqual({ kind: 'refused', reason: 'the user changed since the token was issued' });
    expect(tokenVerdict({ ...claims, ver: 90 }, user(), 100)).toEqual({ kind: 'refused', reason: 'the token names a version the user never had' });
    // A change after the token voids it however far this node is: it holds a newer version than the token.
    expect(tokenVerdict(claims, user({ position: 60 }), 60)).toEqual({ kind: 'refused', reason: 'the user changed since the token was issued' });
  });
});

/** Credentials a test moves forward as a projector would; `position` is what they reflect. */
class LaggingCredentials implements CredentialsLookup {
  readonly users = new Map<string, Credentials>();
  position = 0;
  catchUps = 0;

  async find(username: string): Promise<Credentials | undefined> {
    return this.users.get(username);
  }

  async catchUp(): Promise<void> {
    this.catchUps += 1;
  }

  apply(credentials: Credentials): void {
    this.users.set(credentials.username, credentials);
    this.position = Math.max(this.position, credentials.position);
  }
}

describe('AuthService.verify on a node behind the issuer', () => {
  let credentials: LaggingCredentials;
  let caughtUp: boolean;
  const service = (versionWaitMs = 200) => new AuthService(credentials, testKeys(), { expiresInSeconds: 60, logCaughtUp: () => caughtUp, versionWaitMs });
  const token = (ver: number, role = 'teacher') => testKeys().sign({ sub: 'tina', role, ver }, nowSeconds(), 60);

  beforeEach(() => {
    credentials = new LaggingCredentials();
    credentials.position = 100;
    caughtUp = false;
  });

  it('answers "catching up" (503), not 401, for a user this node has not applied yet, then accepts the token once it has', async () => {
    const error = await service().verify(token(120)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsBehindError);
    expect(error).toMatchObject({ tokenVersion: 120, applied: 100, retryAfterSeconds: 1 });
    expect((error as Error).message).toMatch(/catching up/);
    expect(credentials.catchUps).toBe(1); // it applied what its log holds first
    credentials.apply(user({ position: 120 }));
    await expect(service().verify(token(120))).resolves.toEqual({ username: 'tina', role: 'teacher' });
  });

  it('answers "catching up" for a version of a known user newer than the one it has (a role change not applied yet)', async () => {
    credentials.apply(user({ position: 40 }));
    credentials.position = 100;
    await expect(service().verify(token(120, 'club'))).rejects.toBeInstanceOf(CredentialsBehindError);
  });

  it('still refuses (401) a token its applied log says is void: unknown user, disabled, changed since', async () => {
    await expect(service().verify(token(90))).rejects.toThrow(new InvalidTokenError('token no longer valid: the user does not exist'));
    credentials.apply(user({ position: 95, disabled: true }));
    await expect(service().verify(token(95))).rejects.toThrow(new InvalidTokenError('token no longer valid: the user is disabled'));
    await expect(service().verify(token(50))).rejects.toThrow(new InvalidTokenError('token no longer valid: the user is disabled'));
  });

  it('a caught-up node waits briefly for a version chosen an instant ago, then accepts it', async () => {
    caughtUp = true;
    setTimeout(() => credentials.apply(user({ position: 120 })), 60);
    await expect(service(2000).verify(token(120))).resolves.toEqual({ username: 'tina', role: 'teacher' });
  });

  it('a caught-up node refuses (401) a version its log never reaches within the wait: one the cluster never had', async () => {
    caughtUp = true;
    const started = Date.now();
    await expect(service(150).verify(token(2 ** 40))).rejects.toThrow(new InvalidTokenError('token no longer valid: the token names a version the user never had'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('a node that falls behind while waiting answers "catching up"', async () => {
    caughtUp = true;
    setTimeout(() => (caughtUp = false), 60);
    await expect(service(2000).verify(token(120))).rejects.toBeInstanceOf(CredentialsBehindError);
  });
});

describe('the answer of a node catching up', () => {
  it('is 503 with Retry-After over REST and retryAfter over NATS, in the API error shape', () => {
    const error = new CredentialsBehindError(120, 100);
    const answer = apiErrorOf(error);
    expect(answer).toEqual({
      body: { statusCode: 503, error: 'Service Unavailable', message: error.message },
      headers: { 'Retry-After': '1' },
      unexpected: false,
    });
    expect(errorReply(error)).toEqual({ ok: false, error: { statusCode: 503, error: 'Service Unavailable', message: error.message, details: { retryAfter: 1 } } });
  });
});
