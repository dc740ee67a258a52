import { type DynamicModule, Module } from '@nestjs/common';
import type { LiveEventSource } from '../../api/live-events';
import { LIVE_STREAM_LIMITS, type LiveStreamLimits } from './live-stream';
import { LIVE_EVENT_SOURCE, LIVE_STREAM_LIMITS_TOKEN, LiveStreamController } from './live-stream.controller';

/**
 * GET /api/stream over a node's LiveEventSource. Needs AuthModule (global) for the session checks.
 *
 * @example imports: [LiveStreamModule.register(nodeLiveEventSource(node))]
 */
@Module({})
export class LiveStreamModule {
  static register(source: LiveEventSource, limits: LiveStreamLimits = LIVE_STREAM_LIMITS): DynamicModule {
    return {
      module: LiveStreamModule,
      controllers: [LiveStreamController],
      providers: [
        { provide: LIVE_EVENT_SOURCE, useValue: source },
        { provide: LIVE_STREAM_LIMITS_TOKEN, useValue: limits },
      ],
    };
  }
}
