import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { assert } from '../shared/assert';

/** Items per page unless asked. */
export const PAGE_SIZE_DEFAULT = 20;
/** Items per page at most (DTOs validate against it; repositories assert it). */
export const PAGE_SIZE_MAX = 100;

/**
 * Rows a list pages through at most: `page * pageSize` above it is refused (400). An OFFSET costs
 * every row it skips, and a total costs every row it counts, so neither may grow with the table:
 * a client that needs more narrows its filter (the same bound as Elasticsearch's result window).
 */
export const PAGE_ROWS_MAX = 10_000;

/** Which page of a list to read: `page` counts from 1. */
export interface PageRequest {
  readonly page?: number;
  readonly pageSize?: number;
}

/** One page of a list, with the total across pages. */
export interface Page<T> {
  readonly items: T[];
  readonly page: number;
  readonly pageSize: number;
  /** Rows that match, counted up to PAGE_ROWS_MAX. */
  readonly total: number;
  /** True when more than PAGE_ROWS_MAX rows match: `total` is then PAGE_ROWS_MAX, a lower bound. */
  readonly totalCapped?: boolean;
}

/** The page, its size and the row offset of a request (defaults filled in). Bad numbers are a DTO's bug. */
export function pageWindow(request: PageRequest): { page: number; pageSize: number; offset: number } {
  const page = request.page ?? 1;
  const pageSize = request.pageSize ?? PAGE_SIZE_DEFAULT;
  assert(Number.isSafeInteger(page) && page >= 1, `page must be an integer >= 1, got ${page}`);
  assert(
    Number.isSafeInteger(pageSize) && pageSize >= 1 && pageSize <= PAGE_SIZE_MAX,
    `pageSize must be an integer in 1..${PAGE_SIZE_MAX}, got ${pageSize}`,
  );
  const offset = (page - 1) * pageSize;
  assert(offset + pageSize <= PAGE_ROWS_MAX, `page ${page} of size ${pageSize} is past the first ${PAGE_ROWS_MAX} rows`);
  return { page, pageSize, offset };
}

/**
 * The total of a list's filter, counted up to PAGE_ROWS_MAX rows only (a COUNT over a LIMITed
 * subquery), so a total never scans a whole table.
 *
 * @example const { total, totalCapped } = await countUpToPageRowsMax(db, db.selectFrom('students').where('class_name', '=', '7a'))
 */
export async function countUpToPageRowsMax<DB, TB extends keyof DB, O>(
  db: Kysely<DB>,
  query: SelectQueryBuilder<DB, TB, O>,
): Promise<{ total: number; totalCapped: boolean }> {
  const bounded = query.clearSelect().select(sql<number>`1`.as('one')).limit(PAGE_ROWS_MAX + 1);
  const { rows } = await sql<{ total: number | string }>`SELECT COUNT(*) AS total FROM (${bounded}) AS bounded`.execute(db);
  const counted = Number(rows[0]?.total ?? 0);
  return { total: Math.min(counted, PAGE_ROWS_MAX), totalCapped: counted > PAGE_ROWS_MAX };
}
