import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { PAGE_SIZE_MAX } from '../../projections/paging';
import { Absent } from './field-rules';

/** Query of any read: `?minPosition=` (the interceptor waits for it; declared so it is not refused as unknown). */
export class ReadQueryDto {
  @ApiPropertyOptional({ minimum: 0, description: 'wait until the read model has applied this log position' })
  @Absent()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  minPosition?: number;
}

/** Query of a paged read: page >= 1, pageSize 1..100. */
export class PageQueryDto extends ReadQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @Absent()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: PAGE_SIZE_MAX, default: 20 })
  @Absent()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_SIZE_MAX)
  pageSize?: number;
}
