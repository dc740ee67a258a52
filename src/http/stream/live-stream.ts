import type { Socket } from 'node:net';
import type { MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { type LiveEventSource, eventVisibleTo } from '../../api/live-events';
import type { Actor } from '../../domain';

/** The bounds of one live stream. */
export interface LiveStreamLimits {
  /** Log events read per query while catching up. */
  readonly readBatchMax: number;
  /** Bytes sent to the stream that the client has not taken yet, at most: a slower client is cut off. */
  readonly pendingBytesMax: number;
  /** How often a keep-alive comment goes out (and the session is checked again). */
  readonly keepAliveMs: number;
}

/** The bounds unless configured. */
export const LIVE_STREAM_LIMITS: LiveStreamLimits = Object.freeze({ readBatchMax: 500, pendingBytesMax: 1024 * 1024, keepAliveMs: 15_000 });

/** What one stream is sent to and how its session is checked. */
export interface LiveStreamTarget {
  readonly actor: Actor;
  /** Send events after this position (the Last-Event-ID, or the head when the stream opened). */
  readonly after: number;
  /** The connection's socket: what it has taken, and cut off when too slow. */
  readonly socket: Pick<Socket, 'bytesWritten' | 'destroy'>;
  /** Writes an SSE comment line (keep-alive) straight to the response. */
  readonly writeComment: (text: string) => void;
  /** True while the session holds (token not expired, user not disabled nor changed). */
  readonly sessionHolds: () => Promise<boolean>;
  /** Called when the stream ends, with why. */
  readonly onEnd?: (why: 'session-ended' | 'slow-consumer' | 'closed') => void;
}

/**
 * The applied events `target.actor` may see (eventVisibleTo), from `target.after` on, as SSE
 * messages whose `id` is the log position and whose data is the event as JSON. It catches up
 * from the log in bounded reads, then follows each written batch. Every `keepAliveMs` it sends a
 * comment and checks the session: an ended session completes the stream. A client that takes less
 * than it is sent, by more than `pendingBytesMax`, has its connection cut.
 */
export function liveStream(source: LiveEventSource, target: LiveStreamTarget, limits: LiveStreamLimits = LIVE_STREAM_LIMITS): Observable<MessageEvent> {
  return new Observable<MessageEvent>((subscriber) => {
    let cursor = target.after;
    let pumping = false;
    let again = false;
    let ended = false;
    let sentBytes = 0;
    const writtenAtStart = target.socket.bytesWritten;
    const pending = () => sentBytes - (target.socket.bytesWritten - writtenAtStart);

    const end = (why: 'session-ended' | 'slow-consumer') => {
      if (ended) return;
      ended = true;
      target.onEnd?.(why);
      if (why === 'slow-consumer') target.socket.destroy();
      else subscriber.complete();
    };

    const pump = async (): Promise<void> => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          while (!ended && cursor < source.writtenHead) {
            const { events, coveredTo } = await source.readAfter(cursor, limits.readBatchMax);
            if (ended || coveredTo <= cursor) break;
            for (const event of events) {
              if (!eventVisibleTo(target.actor, event, source)) continue;
              const data = JSON.stringify(event);
              sentBytes += data.length + 16;
              subscriber.next({ id: String(event.position), data });
            }
            cursor = coveredTo;
            if (pending() > limits.pendingBytesMax) end('slow-consumer');
          }
        } while (again && !ended);
      } catch (error) {
        if (ended) return;
        ended = true;
        target.onEnd?.('closed');
        subscriber.error(error);
      } finally {
        pumping = false;
      }
    };

    const tick = async () => {
      if (ended) return;
      if (pending() > limits.pendingBytesMax) return end('slow-consumer');
      target.writeComment('keep-alive');
      sentBytes += 14;
      if (!(await target.sessionHolds())) end('session-ended');
    };

    const stopListening = source.onWritten(() => void pump());
    const timer = setInterval(() => void tick(), limits.keepAliveMs);
    timer.unref();
    void pump();
    return () => {
      if (!ended) target.onEnd?.('closed');
      ended = true;
      clearInterval(timer);
      stopListening();
    };
  });
}
