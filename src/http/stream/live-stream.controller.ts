import { BadRequestException, Controller, Inject, type MessageEvent, Query, Req, ServiceUnavailableException, Sse } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import type { Observable } from 'rxjs';
import type { LiveEventSource } from '../../api/live-events';
import { AuthService } from '../../auth/auth.service';
import type { Actor } from '../../domain';
import type { AuthenticatedRequest } from '../auth/authenticated-request';
import { Absent } from '../../api/field-rules';
import { CurrentActor } from '../auth/current-actor.decorator';
import { type LiveStreamLimits, liveStream } from './live-stream';

/** Injection token of the node's LiveEventSource. */
export const LIVE_EVENT_SOURCE = Symbol('LIVE_EVENT_SOURCE');
/** Injection token of the LiveStreamLimits. */
export const LIVE_STREAM_LIMITS_TOKEN = Symbol('LIVE_STREAM_LIMITS');
/** Open streams one node serves at most (503 above). */
export const LIVE_STREAMS_MAX = 1000;

const POSITION = /^\d{1,15}$/;

/** Query of GET /api/stream. */
export class LiveStreamQueryDto {
  @ApiPropertyOptional({ description: 'resume after this log position (as the Last-Event-ID header does)', example: '42' })
  @Absent()
  @Matches(POSITION, { message: '$property must be a log position (digits)' })
  lastEventId?: string;
}

/** One message of the stream (its SSE `data`, JSON); the SSE `id` is `position`. */
export class LiveEventDto {
  @ApiProperty({ description: 'log position (also the SSE id)', example: 42 })
  position!: number;
  @ApiProperty({ enum: ['student', 'application', 'user', 'reason', 'saga', 'archive'] })
  streamType!: string;
  @ApiProperty({ example: 's-1' })
  streamId!: string;
  @ApiProperty({ example: 'ScoreModified' })
  type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the event data, secrets left out' })
  data!: Record<string, unknown>;
}

/**
 * Server-Sent Events of the applied log, scoped like REST (see eventVisibleTo). Authenticated by
 * the session cookie or a bearer token; `Last-Event-ID` (header, or `?lastEventId=` for a first
 * connection) resumes after that position, else the stream starts at the head.
 */
@ApiTags('stream')
@Controller('api')
export class LiveStreamController {
  private open = 0;

  constructor(
    @Inject(LIVE_EVENT_SOURCE) private readonly source: LiveEventSource,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(LIVE_STREAM_LIMITS_TOKEN) private readonly limits: LiveStreamLimits,
  ) {}

  @Sse('stream')
  @ApiOperation({ summary: 'Live applied events (SSE): id = log position; keep-alive comments; Last-Event-ID resumes' })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'resume after this log position' })
  @ApiOkResponse({ type: LiveEventDto, description: 'a text/event-stream; each message\'s data is one LiveEvent' })
  stream(@CurrentActor() actor: Actor, @Req() request: AuthenticatedRequest, @Query() query: LiveStreamQueryDto): Observable<MessageEvent> {
    const after = resumeAfter(request.headers['last-event-id'], query.lastEventId) ?? this.source.writtenHead;
    if (this.open >= LIVE_STREAMS_MAX) throw new ServiceUnavailableException(`this node serves ${LIVE_STREAMS_MAX} live streams at most; try another node`);
    const token = request.accessToken;
    const response = request.res;
    if (token === undefined || response === undefined) throw new BadRequestException('no session to stream to');
    this.open += 1;
    return liveStream(
      this.source,
      {
        actor,
        after,
        socket: request.socket,
        writeComment: (text) => void response.write(`: ${text}\n\n`),
        sessionHolds: () => this.auth.verify(token).then(() => true, () => false),
        onEnd: () => (this.open -= 1),
      },
      this.limits,
    );
  }
}

/** The position to resume after: the Last-Event-ID header, else the query; undefined for neither. */
function resumeAfter(header: string | string[] | undefined, query: string | undefined): number | undefined {
  const value = typeof header === 'string' && header.trim() !== '' ? header.trim() : query;
  if (value === undefined) return undefined;
  if (!POSITION.test(value)) throw new BadRequestException('Last-Event-ID must be a log position (digits)');
  return Number(value);
}
