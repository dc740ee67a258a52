import { AuthService } from '../../../src/auth/auth.service';
import type { Credentials, CredentialsLookup } from '../../../src/auth/credentials-repository';
import { JwtKeyRing } from '../../../src/auth/jwt-keys';

/** The signing secret of unit tests. */
export const TEST_SECRET = 'unit-test-secret-0123456789abcdef';

/** Credentials in memory, changed by tests as events would change the read model (logouts too). */
export class InMemoryCredentials implements CredentialsLookup {
  readonly users = new Map<string, Credentials>();
  /** Token ids logged out, as the credentials projector would hold them once it applied UserSessionEnded. */
  readonly revoked = new Set<string>();

  async find(username: string): Promise<Credentials | undefined> {
    return this.users.get(username);
  }

  async isRevoked(tokenId: string): Promise<boolean> {
    return this.revoked.has(tokenId);
  }

  put(user: Credentials): void {
    this.users.set(user.username, user);
  }
}

/** An AuthService over in-memory credentials, signing with TEST_SECRET. */
export function inMemoryAuth(credentials: InMemoryCredentials, expiresInSeconds = 3600): AuthService {
  return new AuthService(credentials, testKeys(), { expiresInSeconds });
}

/** The key ring of unit tests: TEST_SECRET under kid `test`. */
export function testKeys(): JwtKeyRing {
  return new JwtKeyRing([{ kid: 'test', secret: TEST_SECRET }]);
}
