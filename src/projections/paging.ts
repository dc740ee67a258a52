import { assert } from '../shared/assert';

/** Items per page unless asked. */
export const PAGE_SIZE_DEFAULT = 20;
/** Items per page at most (DTOs validate against it; repositories assert it). */
export const PAGE_SIZE_MAX = 100;

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
  readonly total: number;
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
  assert(Number.isSafeInteger(offset), `page ${page} of size ${pageSize} is too far`);
  return { page, pageSize, offset };
}
