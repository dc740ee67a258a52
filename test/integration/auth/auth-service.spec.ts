import { sql } from 'kysely';
import { CredentialsBehindError, InvalidCredentialsError, InvalidTokenError } from '../../../src/auth/auth-errors';
import { AuthService } from '../../../src/auth/auth.service';
import { CredentialsProjector } from '../../../src/auth/credentials-projector';
import { CredentialsRepository } from '../../../src/auth/credentials-repository';
import { JwtKeyRing } from '../../../src/auth/jwt-keys';
import { hashPassword } from '../../../src/auth/password';
import { type Role, type UserEvent, USER_STREAM, domainEvent } from '../../../src/domain';
import {
  CheckpointMovedError,
  Projector,
  READ_MODELS,
  UsersRepository,
  readCheckpoints,
} from '../../../src/projections';
import { TestEventLog } from '../projections/projection-test-support';
import { type AuthTestDatabase, createAuthTestDatabase } from './auth-test-database';

const SECRET = 'integration-test-secret-0123456789';
const PASSWORD = 'correct horse battery staple';
const at = '2025-03-01T08:00:00.000Z';
const actor = { username: 'root', role: 'admin' as const };

const created = (username: string, passwordHash: string, role: Role, studentId?: string): UserEvent =>
  domainEvent(USER_STREAM, username, 'UserCreated', {
    username,
    passwordHash,
    role,
    displayName: username,
    ...(studentId === undefined ? {} : { studentId }),
    actor,
    at,
  });
const roleChanged = (username: string, role: Role, previousRole: Role): UserEvent =>
  domainEvent(USER_STREAM, username, 'UserRoleChanged', { username, role, previousRole, actor, at });
const disabled = (username: string): UserEvent =>
  domainEvent(USER_STREAM, username, 'UserDisabled', { username, actor, at });
const enabled = (username: string): UserEvent =>
  domainEvent(USER_STREAM, username, 'UserEnabled', { username, actor, at });

describe('AuthService on the credentials read model (real MySQL)', () => {
  let test: AuthTestDatabase;
  let log: TestEventLog;
  let projector: CredentialsProjector;
  let repository: CredentialsRepository;
  let hash: string;

  const service = (expiresInSeconds = 3600) =>
    new AuthService(repository, new JwtKeyRing([{ kid: 'k1', secret: SECRET }]), { expiresInSeconds });

  /** Appends events (one log entry each) and projects them. */
  async function apply(...events: UserEvent[]): Promise<void> {
    await log.append(events.map((e) => [e]));
    await projector.catchUp();
  }

  beforeAll(async () => {
    test = await createAuthTestDatabase();
    log = new TestEventLog(test.db);
    projector = new CredentialsProjector(test.credentials);
    repository = new CredentialsRepository(test.credentials);
    hash = await hashPassword(PASSWORD);
    await apply(
      created('root', hash, 'admin'),
      created('ms.lee', hash, 'teacher'),
      created('kim', hash, 'student', 's-1'),
    );
  });
  afterAll(() => test.drop());

  it('logs a user in and verifies the token to their actor', async () => {
    const auth = service();
    const result = await auth.login('kim', PASSWORD);
    expect(result).toEqual({ accessToken: expect.any(String), expiresIn: 3600, role: 'student' });
    await expect(auth.verify(result.accessToken)).resolves.toEqual({
      username: 'kim',
      role: 'student',
      studentId: 's-1',
    });
    await expect(auth.verify((await auth.login('root', PASSWORD)).accessToken)).resolves.toEqual({
      username: 'root',
      role: 'admin',
    });
  });

  it('refuses a wrong password and an unknown user with the same error', async () => {
    const auth = service();
    const wrong = await auth.login('kim', 'wrong password').catch((e: unknown) => e);
    const unknown = await auth.login('nobody', PASSWORD).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(InvalidCredentialsError);
    expect(unknown).toBeInstanceOf(InvalidCredentialsError);
    expect(wrong).toEqual(unknown);
  });

  it('refuses a disabled user, voids their tokens, and keeps pre-disable tokens void after re-enabling', async () => {
    const auth = service();
    await apply(created('dis', hash, 'club'));
    const before = (await auth.login('dis', PASSWORD)).accessToken;
    await apply(disabled('dis'));
    await expect(auth.login('dis', PASSWORD)).rejects.toThrow(InvalidCredentialsError);
    await expect(auth.verify(before)).rejects.toThrow(
      new InvalidTokenError('token no longer valid: the user is disabled'),
    );
    await apply(enabled('dis'));
    await expect(auth.verify(before)).rejects.toThrow(InvalidTokenError);
    const after = (await auth.login('dis', PASSWORD)).accessToken;
    await expect(auth.verify(after)).resolves.toEqual({ username: 'dis', role: 'club' });
  });

  it('voids old tokens on a role change; a new login carries the new role', async () => {
    const auth = service();
    await apply(created('mover', hash, 'teacher'));
    const old = (await auth.login('mover', PASSWORD)).accessToken;
    await expect(auth.verify(old)).resolves.toEqual({ username: 'mover', role: 'teacher' });
    await apply(roleChanged('mover', 'admin', 'teacher'));
    await expect(auth.verify(old)).rejects.toThrow(new InvalidTokenError('token no longer valid: the role changed'));
    const fresh = await auth.login('mover', PASSWORD);
    expect(fresh.role).toBe('admin');
    await expect(auth.verify(fresh.accessToken)).resolves.toEqual({ username: 'mover', role: 'admin' });
  });

  it('refuses an expired token', async () => {
    const auth = service(1);
    const { accessToken, expiresIn } = await auth.login('ms.lee', PASSWORD);
    expect(expiresIn).toBe(1);
    await expect(auth.verify(accessToken)).resolves.toEqual({ username: 'ms.lee', role: 'teacher' });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(auth.verify(accessToken)).rejects.toThrow(new InvalidTokenError('token expired'));
  });

  it('refuses a token signed by another secret, and one for a user this node does not know', async () => {
    const other = new AuthService(repository, new JwtKeyRing([{ kid: 'k1', secret: 'another-secret-0123456789abcdefghijkl' }]), {
      expiresInSeconds: 60,
    });
    const foreign = (await other.login('kim', PASSWORD)).accessToken;
    await expect(service().verify(foreign)).rejects.toThrow(new InvalidTokenError('invalid token'));
    const ghost = new JwtKeyRing([{ kid: 'k1', secret: SECRET }]).sign({ sub: 'ghost', role: 'admin', ver: 1 }, Math.floor(Date.now() / 1000), 60);
    await expect(service().verify(ghost)).rejects.toThrow(/the user does not exist/);
  });

  it('refuses a validly signed token whose version is larger than the user ever had; a lagging node catches up first', async () => {
    const keys = new JwtKeyRing([{ kid: 'k1', secret: SECRET }]);
    const auth = new AuthService({ find: (u) => repository.find(u), catchUp: (p) => projector.catchUp(p) }, keys, { expiresInSeconds: 60 });
    await apply(created('ver', hash, 'teacher'));
    // A role change the log holds but this node's credentials have not applied yet.
    await log.append([[roleChanged('ver', 'club', 'teacher')]]);
    const now = Math.floor(Date.now() / 1000);
    const issuedUpstream = keys.sign({ sub: 'ver', role: 'club', ver: log.head }, now, 60);
    await expect(auth.verify(issuedUpstream)).resolves.toEqual({ username: 'ver', role: 'club' });
    for (const ver of [log.head + 1, 2 ** 40]) {
      const forged = keys.sign({ sub: 'ver', role: 'club', ver }, now, 60);
      await expect(auth.verify(forged)).rejects.toThrow(/the token names a version the user never had/);
    }
  });

  it('on a node whose log does not hold the token\'s version yet: 503 "catching up" (never 401), then the token verifies once the log brings it', async () => {
    const keys = new JwtKeyRing([{ kid: 'k1', secret: SECRET }]);
    let caughtUp = false;
    // The node's own projector: its position is what its credentials reflect.
    const auth = new AuthService(projector, keys, { expiresInSeconds: 60, logCaughtUp: () => caughtUp, versionWaitMs: 300 });
    await apply(created('lagger', hash, 'teacher'));
    const now = Math.floor(Date.now() / 1000);
    // Another node created the user (and another changed a known one) at positions this node's log has not reached.
    const newcomer = keys.sign({ sub: 'newcomer', role: 'teacher', ver: log.head + 1 }, now, 60);
    const promoted = keys.sign({ sub: 'lagger', role: 'club', ver: log.head + 2 }, now, 60);
    for (const token of [newcomer, promoted]) {
      const error = await auth.verify(token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialsBehindError);
      expect(error).not.toBeInstanceOf(InvalidTokenError);
    }
    // A token this node can already judge is still refused at once.
    const ghost = keys.sign({ sub: 'ghost', role: 'admin', ver: 1 }, now, 60);
    await expect(auth.verify(ghost)).rejects.toThrow(/the user does not exist/);

    // The log brings the two changes; verify applies them itself (catchUp), with no run loop.
    await log.append([[created('newcomer', hash, 'teacher')], [roleChanged('lagger', 'club', 'teacher')]]);
    await expect(auth.verify(newcomer)).resolves.toEqual({ username: 'newcomer', role: 'teacher' });
    await expect(auth.verify(promoted)).resolves.toEqual({ username: 'lagger', role: 'club' });

    // Caught up with the cluster, a version beyond its log is one the user never had: 401 after the brief wait.
    caughtUp = true;
    const never = keys.sign({ sub: 'lagger', role: 'club', ver: log.head + 50 }, now, 60);
    await expect(auth.verify(never)).rejects.toThrow(/the token names a version the user never had/);
  });

  it('keeps its own checkpoint, apart from read-models, at the log head', async () => {
    const readModels = new Projector(test.db, READ_MODELS);
    await readModels.catchUp();
    await projector.catchUp();
    expect(await readCheckpoints(test.db)).toEqual([
      { name: 'credentials', position: log.head },
      { name: 'read-models', position: log.head },
    ]);
  });

  it('never lets a password hash reach any table but user_credentials and the log', async () => {
    await new Projector(test.db, READ_MODELS).catchUp();
    const salt = hash.split('$')[4];
    const key = hash.split('$')[5];
    const { rows: tables } = await sql<{ name: string }>`
      SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()`.execute(test.db);
    const checked: string[] = [];
    for (const { name } of tables) {
      if (name === 'user_credentials' || name === 'event_log') continue;
      const { rows } = await sql`SELECT * FROM ${sql.table(name)}`.execute(test.db);
      const text = JSON.stringify(rows);
      expect({ name, salt: text.includes(salt), key: text.includes(key) }).toEqual({ name, salt: false, key: false });
      checked.push(name);
    }
    expect(checked).toEqual(expect.arrayContaining(['users', 'projection_checkpoints']));
    const user = await new UsersRepository(test.db).getUser('kim');
    expect(user).toBeDefined();
    expect(JSON.stringify(user)).not.toContain(key);
    expect((await repository.find('kim'))?.passwordHash).toBe(hash);
  });

  it('writes rows and checkpoint together: a projector whose checkpoint moved under it applies nothing', async () => {
    const lagging = new CredentialsProjector(test.credentials);
    await lagging.catchUp(); // loaded at the head
    await apply(created('late', hash, 'club')); // the main projector moves the checkpoint on
    const head = log.head;
    await log.append([[roleChanged('late', 'teacher', 'club')]]);
    await expect(lagging.catchUp()).rejects.toThrow(CheckpointMovedError);
    expect((await repository.find('late'))?.role).toBe('club');
    await expect(lagging.catchUp()).resolves.toBe(head + 1); // reloaded, then applied once
    expect(await repository.find('late')).toMatchObject({ role: 'teacher', position: head + 1 });
  });

  it('run() applies new events on notify', async () => {
    const running = new CredentialsProjector(test.credentials, { pollIntervalMs: 60_000 });
    const loop = running.run();
    try {
      await log.append([[created('notified', hash, 'teacher')]]);
      running.notify(log.head);
      const deadline = Date.now() + 5000;
      while ((await repository.find('notified')) === undefined && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await repository.find('notified')).toMatchObject({ role: 'teacher', disabled: false });
    } finally {
      await running.stop();
      await loop;
    }
  });
});
