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
    if (row === undefined || !isRole(row.role)) return undefined;
    return {
      username: row.username,
      passwordHash: row.password_hash,
      role: row.role,
      studentId: row.student_id,
      disabled: booleanFromSql(row.disabled),
      position: integerFromSql(row.position),
    };
  }
}
