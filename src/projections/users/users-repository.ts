import type { Kysely } from 'kysely';
import type { Role } from '../../domain';
import type { ReadModelDatabase } from '../read-model-database';
import type { UserRow } from '../read-model-tables';
import { assert } from '../../shared/assert';
import { rowFromSql } from '../sql-values';
import { type Page, type PageRequest, pageWindow } from '../paging';

/** Filters of GET /api/users. */
export interface UserListRequest extends PageRequest {
  readonly role?: Role;
}

/** A user as reads return it: no password hash, no secret of any kind. */
export interface UserView {
  readonly username: string;
  readonly role: Role;
  readonly displayName: string;
  /** The student a student user is bound to; null for other roles. */
  readonly studentId: string | null;
  readonly disabled: boolean;
  /** The classes a teacher or club looks after, in the order they were assigned; empty for other roles. */
  readonly classes: readonly string[];
  readonly position: number;
}

/** Reads of the `users` read model. */
export class UsersRepository {
  constructor(private readonly db: Kysely<ReadModelDatabase>) {}

  /** Users by username, optionally of one role, one page. */
  async listUsers(request: UserListRequest = {}): Promise<Page<UserView>> {
    const { page, pageSize, offset } = pageWindow(request);
    let query = this.db.selectFrom('users');
    if (request.role !== undefined) query = query.where('role', '=', request.role);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('username').limit(pageSize).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => userView(rowFromSql('users', r))), page, pageSize, total: Number(count.total) };
  }

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
    classes: classesFromRow(row.classes),
    position: row.position,
  };
}

/**
 * The class list a `users.classes` cell holds (JSON the projection wrote). Anything else there is
 * a broken invariant.
 *
 * @example classesFromRow('["7A","7B"]') // ['7A', '7B']
 */
export function classesFromRow(cell: string | null): string[] {
  if (cell === null) return [];
  const list: unknown = JSON.parse(cell);
  assert(Array.isArray(list) && list.every((name) => typeof name === 'string'), `users.classes must hold a JSON list of names, got ${cell}`);
  return list as string[];
}
