import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { notePosition } from './api/consistency';

/** The SSE stream of applied events (scoped to the signed-in user by the node). */
export const STREAM_URL = '/api/stream';
/** At most one refetch burst per this many ms, however many events arrive. */
export const INVALIDATE_EVERY_MS = 250;

/** Query keys an event of a given stream type touches; anything unknown refreshes everything. */
export function keysForEvent(type: string): string[][] | null {
  const t = type.toLowerCase();
  if (t.includes('application')) return [['applications'], ['students'], ['stats'], ['records']];
  if (t.includes('student') || t.includes('score')) return [['students'], ['records'], ['stats'], ['history']];
  if (t.includes('reason')) return [['reasons']];
  // A user event may be the signed-in user's own (a teacher's classes): their session is read again.
  if (t.includes('user')) return [['users'], ['me']];
  if (t.includes('saga') || t.includes('archive')) return [['sagas'], ['archives'], ['students'], ['records'], ['stats']];
  return null;
}

/** Names an event carries: the SSE `event:` field and, when JSON, its `type`/`streamType`. */
export function eventNames(eventName: string, data: string): string[] {
  const names = [eventName];
  try {
    const parsed = JSON.parse(data) as { type?: unknown; eventType?: unknown; streamType?: unknown };
    for (const v of [parsed.type, parsed.eventType, parsed.streamType]) if (typeof v === 'string') names.push(v);
  } catch {
    // not JSON: the event name alone decides
  }
  return names;
}

/**
 * Keeps the signed-in user's queries live: every event from `GET /api/stream` invalidates the
 * queries it touches (batched). EventSource reconnects by itself, sending Last-Event-ID.
 * Answers whether the stream is open.
 */
export function useLiveUpdates(enabled: boolean): boolean {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const source = new EventSource(STREAM_URL, { withCredentials: true });
    let pending: string[][] | 'all' = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const keys = pending;
      pending = [];
      if (keys === 'all') void queryClient.invalidateQueries();
      else for (const key of keys) void queryClient.invalidateQueries({ queryKey: key });
    };
    const onEvent = (event: MessageEvent<string>) => {
      notePosition(Number(event.lastEventId));
      for (const name of eventNames(event.type, event.data)) {
        const keys = keysForEvent(name);
        if (keys === null) {
          if (name !== 'message') continue;
          pending = 'all';
        } else if (pending !== 'all') pending.push(...keys);
      }
      if (pending !== 'all' && pending.length === 0) pending = 'all';
      timer ??= setTimeout(flush, INVALIDATE_EVERY_MS);
    };
    source.onmessage = onEvent;
    for (const name of ['application', 'student', 'score', 'reason', 'user', 'saga', 'archive', 'event']) source.addEventListener(name, onEvent as EventListener);
    source.onopen = () => setOpen(true);
    source.onerror = () => setOpen(source.readyState === EventSource.OPEN);
    return () => {
      source.close();
      if (timer !== undefined) clearTimeout(timer);
      setOpen(false);
    };
  }, [enabled, queryClient]);
  return open;
}
