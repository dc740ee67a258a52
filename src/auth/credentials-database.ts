import type { ColumnType, Kysely } from 'kysely';
import type { ReadModelDatabase } from '../projections/read-model-database';

/** A BOOLEAN (TINYINT(1)) column: 0 or 1 when read. */
type BooleanColumn = ColumnType<number, boolean, boolean>;

/** `user_credentials` (migration 0005): one row per user, holding the password hash. */
export interface UserCredentialsTable {
  username: string;
  password_hash: string;
  role: string;
  student_id: string | null;
  disabled: BooleanColumn;
  /** The position of the last user event that changed the row. */
  position: number;
}

/** `revoked_tokens` (migration 0014): one row per logged-out token until it expires. */
export interface RevokedTokensTable {
  token_id: string;
  username: string;
  /** When the token expires anyway, in epoch milliseconds. */
  expires_at: number;
  /** The log position of the UserSessionEnded that revoked it. */
  position: number;
}

/** What the credentials projection and repository read and write: its tables, the checkpoints and the log. */
export interface CredentialsDatabase extends ReadModelDatabase {
  user_credentials: UserCredentialsTable;
  revoked_tokens: RevokedTokensTable;
}

/**
 * Narrows a node's Kysely to the credentials view (Kysely's database type is invariant). The node's
 * database must have run migrations 0005 and 0014.
 *
 * @example const repository = new CredentialsRepository(credentialsDb(node.db));
 */
export function credentialsDb<DB extends ReadModelDatabase>(db: Kysely<DB>): Kysely<CredentialsDatabase> {
  return db as unknown as Kysely<CredentialsDatabase>;
}
