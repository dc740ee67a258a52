import { sql } from 'kysely';
import { createNodeAuth } from '../../../src/auth/create-auth';
import { REVOKED_TOKEN_KEPT_AFTER_EXPIRY_MS, REVOKED_TOKENS_PRUNE_INTERVAL_MS } from '../../../src/auth/credentials-projector';
import { hashPassword } from '../../../src/auth/password';
import { USER_STREAM, type UserEvent, domainEvent } from '../../../src/domain';
import { TestEventLog, clearAll } from '../projections/projection-test-support';
import { type AuthTestDatabase, createAuthTestDatabase } from './auth-test-database';

const PASSWORD = 'correct horse battery staple';
const at = '2025-03-01T08:00:00.000Z';
const admin = { username: 'root', role: 'admin' as const };
const keys = { jwtSecrets: [{ kid: 'test', secret: 'integration-test-secret-0123456789abcdef' }], tokenExpiresInSeconds: 3600 };

function ended(username: string, tokenId: string, expiresAt: string): UserEvent {
  return domainEvent(USER_STREAM, username, 'UserSessionEnded', { username, tokenId, expiresAt, actor: { username, role: 'teacher' as const }, at });
}

describe('logged-out tokens kept by the credentials projector (real MySQL)', () => {
  let test: AuthTestDatabase;
  let log: TestEventLog;

  beforeAll(async () => {
    test = await createAuthTestDatabase();
  });
  afterAll(() => test.drop());

  beforeEach(async () => {
    await clearAll(test.db);
    await sql`DELETE FROM user_credentials`.execute(test.db);
    await sql`DELETE FROM revoked_tokens`.execute(test.db);
    log = new TestEventLog(test.db);
    const created = domainEvent(USER_STREAM, 'ms.lee', 'UserCreated', { username: 'ms.lee', passwordHash: await hashPassword(PASSWORD), role: 'teacher' as const, displayName: 'Ms Lee', actor: admin, at });
    await log.append([[created]]);
  });

  it("given two sessions of a user, when one's logout is applied, then that token is refused and the other one works, also after a restart", async () => {
    const node = createNodeAuth(test.db, keys);
    await node.projector.catchUp();
    const first = await node.service.login('ms.lee', PASSWORD);
    const second = await node.service.login('ms.lee', PASSWORD);
    const session = node.service.session(first.accessToken)!;

    await log.append([[ended('ms.lee', session.tokenId, session.expiresAt)]]);
    await node.projector.catchUp();
    await expect(node.service.verify(first.accessToken)).rejects.toThrow('token no longer valid: logged out');
    await expect(node.service.verify(second.accessToken)).resolves.toEqual({ username: 'ms.lee', role: 'teacher' });
    const rows = await test.credentials.selectFrom('revoked_tokens').selectAll().execute();
    expect(rows.map((r) => ({ ...r, expires_at: Number(r.expires_at), position: Number(r.position) }))).toEqual([
      { token_id: session.tokenId, username: 'ms.lee', expires_at: Date.parse(session.expiresAt), position: 2 },
    ]);
    // The logout moved no credentials: the row's position is still the UserCreated's.
    expect(Number((await test.credentials.selectFrom('user_credentials').select('position').executeTakeFirstOrThrow()).position)).toBe(1);

    // A restart: a new projector loads the revoked tokens with the credentials, before any batch.
    const restarted = createNodeAuth(test.db, keys);
    await expect(restarted.service.verify(first.accessToken)).rejects.toThrow('token no longer valid: logged out');
    await expect(restarted.service.verify(second.accessToken)).resolves.toEqual({ username: 'ms.lee', role: 'teacher' });
  });

  it('keeps a revoked token until its expiry and a margin, prunes it then, and stores no logout replayed after that', async () => {
    let now = Date.parse('2030-01-01T00:00:00.000Z');
    const projector = createNodeAuth(test.db, keys, { now: () => now, pollIntervalMs: 5 }).projector;
    const expiresAt = new Date(now + 60_000).toISOString();
    await log.append([[ended('ms.lee', 'soon-over', expiresAt)], [ended('ms.lee', 'long-over', '2029-12-31T00:00:00.000Z')]]);
    await projector.catchUp();
    expect(await projector.isRevoked('soon-over')).toBe(true);
    expect(await projector.isRevoked('long-over')).toBe(false);
    expect((await test.credentials.selectFrom('revoked_tokens').select('token_id').execute()).map((r) => r.token_id)).toEqual(['soon-over']);

    // Past the expiry, within the margin: still refused; past the margin: forgotten, then pruned by the run loop.
    now += 60_000 + REVOKED_TOKEN_KEPT_AFTER_EXPIRY_MS - 1;
    expect(await projector.isRevoked('soon-over')).toBe(true);
    now += REVOKED_TOKENS_PRUNE_INTERVAL_MS + 2;
    expect(await projector.isRevoked('soon-over')).toBe(false);
    const running = projector.run();
    try {
      for (let i = 0; i < 200 && (await test.credentials.selectFrom('revoked_tokens').select('token_id').execute()).length > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await projector.stop();
      await running;
    }
    expect(await test.credentials.selectFrom('revoked_tokens').select('token_id').execute()).toEqual([]);
    expect(projector.revokedTokens).toBe(0);
  });
});
