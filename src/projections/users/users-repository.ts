import type { Kysely } from 'kysely';
import type { Role } from '../../domain';
import type { ReadModelDatabase } from '../read-model-database';
import type { UserRow } from '../read-model-tables';
import { rowFromSql } from '../sql-values';

/** A user as reads return it: no password hash, no secret of any kind. */
export interface UserView {
  readonly username: string;
  readonly role: Role;
  readonly displayName: string;
  /** The student a student user is bound to; null for other roles. */
  readonly studentId: string | null;
  readonly disabled: boolean;
  readonly position: number;
}

/** Reads of the `users` read model. */
export class UsersRepository {
  constructor(private readonly db: Kysely<ReadModelDatabase>) {}

  /** One user, or undefined. */
  async getUser(username: string): Promise<UserView | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row === undefined ? undefined : userView(rowFromSql('users', row));
  }
}

/** The API shape of a users row. */
export function userView(row: UserRow): UserView {
  return {
    username: row.username,
    role: row.role as Role,
    displayName: row.display_name,
    studentId: row.student_id,
    disabled: row.disabled,
    position: row.position,
  };
}
