import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { InvalidTokenError } from '../../../src/auth/auth-errors';
import { createNodeAuth } from '../../../src/auth/create-auth';
import { hashPassword } from '../../../src/auth/password';
import { USER_STREAM, type UserEvent, domainEvent } from '../../../src/domain';
import { TestEventLog } from '../projections/projection-test-support';
import { type AuthTestDatabase, createAuthTestDatabase } from './auth-test-database';

const PASSWORD = 'correct horse battery staple';
const at = '2025-03-01T08:00:00.000Z';
const actor = { username: 'root', role: 'admin' as const };

/** Counts the statements that read `user_credentials` through the Kysely it is plugged into. */
class CredentialsReads implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if ((args.node.kind === 'SelectQueryNode' || args.node.kind === 'RawNode') && JSON.stringify(args.node).includes('user_credentials')) this.count += 1;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

describe('token checks read credentials from memory (real MySQL)', () => {
  let test: AuthTestDatabase;
  beforeAll(async () => {
    test = await createAuthTestDatabase();
  });
  afterAll(() => test.drop());

  it('given a logged-in teacher, when the user is disabled and projected, then the token is refused without a SELECT of user_credentials', async () => {
    const reads = new CredentialsReads();
    const auth = createNodeAuth(test.db.withPlugin(reads), { jwtSecrets: [{ kid: 'test', secret: 'integration-test-secret-0123456789abcdef' }], tokenExpiresInSeconds: 3600 });
    const log = new TestEventLog(test.db);
    const created: UserEvent = domainEvent(USER_STREAM, 'ms.lee', 'UserCreated', { username: 'ms.lee', passwordHash: await hashPassword(PASSWORD), role: 'teacher' as const, displayName: 'Ms Lee', actor, at });
    await log.append([[created]]);
    await auth.projector.catchUp();
    const { accessToken } = await auth.service.login('ms.lee', PASSWORD);
    const before = reads.count;
    await expect(auth.service.verify(accessToken)).resolves.toEqual({ username: 'ms.lee', role: 'teacher' });
    expect(reads.count).toBe(before);

    await log.append([[domainEvent(USER_STREAM, 'ms.lee', 'UserDisabled', { username: 'ms.lee', actor, at })]]);
    await auth.projector.catchUp();
    const afterDisable = reads.count;
    await expect(auth.service.verify(accessToken)).rejects.toThrow(InvalidTokenError);
    await expect(auth.service.verify(accessToken)).rejects.toThrow('the user is disabled');
    expect(reads.count).toBe(afterDisable);
  });
});
