import { LIVE_STREAM_TYPES, type LiveEvent, type LiveEventSource, withoutSecrets } from '../api/live-events';
import { AggregateNotLoadedError } from '../application/aggregate-store';
import { upcastEvent } from '../domain';
import { readEventRows, readModelDb } from '../projections';
import type { ConsensusNode } from './consensus-node';

/**
 * The live events of a node: its written log (the log tail first, else `event_log`), upcast to
 * their current schema versions, live stream
 * types only, secrets stripped; one listener on the event store fans each written batch out to
 * every open stream.
 */
export function nodeLiveEventSource(node: Pick<ConsensusNode, 'db' | 'events' | 'logTail' | 'aggregates'>): LiveEventSource {
  const listeners = new Set<() => void>();
  node.events.onWritten(() => {
    for (const listener of listeners) listener();
  });
  const db = readModelDb(node.db);
  return {
    get writtenHead() {
      return node.events.writtenHead;
    },
    onWritten(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async readAfter(after, limit) {
      const rows = await readEventRows(db, after, limit, node.logTail);
      const events: LiveEvent[] = [];
      for (const row of rows) {
        if (!LIVE_STREAM_TYPES.has(row.stream_type)) continue;
        events.push({ position: Number(row.position), streamType: row.stream_type, streamId: row.stream_id, type: row.type, data: withoutSecrets(upcastEvent({ type: row.type, schemaVersion: Number(row.schema_version), data: JSON.parse(row.data) as unknown }).data) });
      }
      const last = rows.at(-1);
      return { events, coveredTo: last === undefined ? after : Number(last.position) };
    },
    submitterOf(applicationId) {
      // A closed application may have left memory (a cold aggregate): its events are then not shown live.
      try {
        const application = node.aggregates.application(applicationId);
        return application.exists ? application.submittedBy : undefined;
      } catch (error) {
        if (error instanceof AggregateNotLoadedError) return undefined;
        throw error;
      }
    },
  };
}
