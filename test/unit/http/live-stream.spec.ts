import type { MessageEvent } from '@nestjs/common';
import type { LiveEvent, LiveEventSource } from '../../../src/api/live-events';
import { liveStream } from '../../../src/http/stream/live-stream';

/** A log of `count` student events of s-1, each with `bytes` of data. */
function logOf(count: number, bytes: number): LiveEventSource & { listeners: Set<() => void> } {
  const events: LiveEvent[] = Array.from({ length: count }, (_, i) => ({ position: i + 1, streamType: 'student', streamId: 's-1', type: 'ScoreModified', data: { reason: 'x'.repeat(bytes) } }));
  const listeners = new Set<() => void>();
  return {
    listeners,
    writtenHead: count,
    onWritten: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    readAfter: (after, limit) => {
      const slice = events.slice(after, after + limit);
      return Promise.resolve({ events: slice, coveredTo: slice.at(-1)?.position ?? after });
    },
    submitterOf: () => undefined,
  };
}

const student = { username: 'kim', role: 'student' as const, studentId: 's-1' };
const limits = { readBatchMax: 10, pendingBytesMax: 50_000, keepAliveMs: 60_000 };

describe('one live stream', () => {
  it('cuts off a client that takes nothing once more than pendingBytesMax is waiting for it', async () => {
    const source = logOf(100, 1000);
    let destroyed = false;
    const got: MessageEvent[] = [];
    const ends: string[] = [];
    const subscription = liveStream(
      source,
      { actor: student, after: 0, socket: { bytesWritten: 0, destroy: () => ((destroyed = true), undefined as never) }, writeComment: () => undefined, sessionHolds: async () => true, onEnd: (why) => ends.push(why) },
      limits,
    ).subscribe((m) => got.push(m));
    await new Promise((r) => setTimeout(r, 50));
    expect(destroyed).toBe(true);
    expect(ends).toEqual(['slow-consumer']);
    // It stopped within one read batch of the bound, not at the end of the log.
    expect(got.length).toBeLessThan(70);
    subscription.unsubscribe();
    expect(source.listeners.size).toBe(0);
  });

  it('sends everything to a client that keeps up, ids = positions, and stops listening when unsubscribed', async () => {
    const source = logOf(100, 1000);
    const socket = { bytesWritten: 0, destroy: () => undefined as never };
    const got: MessageEvent[] = [];
    const subscription = liveStream(source, { actor: student, after: 40, socket, writeComment: () => undefined, sessionHolds: async () => true }, limits).subscribe((m) => {
      got.push(m);
      socket.bytesWritten += String(m.data).length + 16;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(got.map((m) => Number(m.id))).toEqual(Array.from({ length: 60 }, (_, i) => i + 41));
    subscription.unsubscribe();
    expect(source.listeners.size).toBe(0);
  });

  it('sends nothing a student may not see', async () => {
    const source = logOf(5, 10);
    const got: MessageEvent[] = [];
    const other = { username: 'lee', role: 'student' as const, studentId: 's-2' };
    const subscription = liveStream(source, { actor: other, after: 0, socket: { bytesWritten: 0, destroy: () => undefined as never }, writeComment: () => undefined, sessionHolds: async () => true }, limits).subscribe((m) => got.push(m));
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toEqual([]);
    subscription.unsubscribe();
  });
});
