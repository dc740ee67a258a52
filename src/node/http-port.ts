import { Injectable } from '@nestjs/common';

/** The HTTP port the node actually took (it may have fallen back within HTTP_PORT_RANGE). */
@Injectable()
export class HttpPortHolder {
  port: number | null = null;
}
