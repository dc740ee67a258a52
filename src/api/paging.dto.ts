import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min, ValidateBy } from 'class-validator';
import { PAGE_ROWS_MAX, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../projections/paging';
import { Absent } from './field-rules';

/** Query of any read: `?minPosition=` (the interceptor waits for it; declared so it is not refused as unknown). */
export class ReadQueryDto {
  @ApiPropertyOptional({ minimum: 0, description: 'wait until the read model has applied this log position' })
  @Absent()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  minPosition?: number;
}

/** `page * pageSize` (pageSize defaulting) within the first PAGE_ROWS_MAX rows of a list. */
function IsWithinPageRows(): PropertyDecorator {
  return ValidateBy({
    name: 'isWithinPageRows',
    validator: {
      validate: (page: unknown, args) => {
        const size = (args?.object as { pageSize?: unknown }).pageSize ?? PAGE_SIZE_DEFAULT;
        return typeof page === 'number' && typeof size === 'number' && page * size <= PAGE_ROWS_MAX;
      },
      defaultMessage: () => `page * pageSize must be at most ${PAGE_ROWS_MAX}: lists page through their first ${PAGE_ROWS_MAX} rows (narrow the filter to reach others)`,
    },
  });
}

/** Query of a paged read: page >= 1, pageSize 1..100, page * pageSize <= PAGE_ROWS_MAX. */
export class PageQueryDto extends ReadQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1, description: `page * pageSize at most ${PAGE_ROWS_MAX}` })
  @Absent()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_ROWS_MAX)
  @IsWithinPageRows()
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: PAGE_SIZE_MAX, default: 20 })
  @Absent()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_SIZE_MAX)
  pageSize?: number;
}
