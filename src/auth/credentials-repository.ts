import type { Kysely } from 'kysely';
import { type Role, isRole } from '../domain';
import { booleanFromSql, integerFromSql } from '../projections/sql-values';
import type { CredentialsDatabase } from './credentials-database';

/** A user as login and token checks see them: the only view that carries the password hash. */
export interface Credentials {
  readonly username: string;
  readonly passwordHash: string;
  readonly role: Role;
  /** The bound student, for student users only. */
  readonly studentId: string | null;
  readonly disabled: boolean;
  /** The position of the last user event that changed them: tokens issued before a later change are void. */
  readonly position: number;
}

/** Where AuthService looks users up (CredentialsRepository; an in-memory map in unit tests). */
export interface CredentialsLookup {
  /** The user's credentials, or undefined when there is no such user. */
  find(username: string): Promise<Credentials | undefined>;
  /** Applies the log's user events up to `position` where this node holds them (a token names a newer version than found). */
  catchUp?(position: number): Promise<unknown>;
  /** True when the token `tokenId` names was logged out (UserSessionEnded applied here) and has not expired. */
  isRevoked?(tokenId: string): Promise<boolean>;
  /**
   * The log position the credentials reflect (every user event up to it is applied); absent: all
   * of them (a token's version is then never beyond what this node knows).
   */
  readonly position?: number;
}

/** Reads of `user_credentials`. Only src/auth uses it: its rows hold password hashes. */
export class CredentialsRepository implements CredentialsLookup {
  constructor(private readonly db: Kysely<CredentialsDatabase>) {}

  /** The user's credentials, or undefined (also for a row no UserCreated has filled, whose role is unknown). */
  async find(username: string): Promise<Credentials | undefined> {
    const row = await this.db
      .selectFrom('user_credentials')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    return row === undefined ? undefined : credentialsOf(row);
  }

  /** Every user's credentials (rows no UserCreated has filled left out), keyed by username. */
  async all(): Promise<Map<string, Credentials>> {
    const rows = await this.db.selectFrom('user_credentials').selectAll().execute();
    const users = new Map<string, Credentials>();
    for (const row of rows) {
      const credentials = credentialsOf(row);
      if (credentials) users.set(credentials.username, credentials);
    }
    return users;
  }
}

/** A `user_credentials` row as Credentials; undefined while its role is unknown (no UserCreated yet). */
export function credentialsOf(row: {
  username: string;
  password_hash: string;
  role: string;
  student_id: string | null;
  disabled: number | boolean | string;
  position: number | string | bigint;
}): Credentials | undefined {
  if (!isRole(row.role)) return undefined;
  return {
    username: row.username,
    passwordHash: row.password_hash,
    role: row.role,
    studentId: row.student_id,
    disabled: booleanFromSql(row.disabled),
    position: integerFromSql(row.position),
  };
}
