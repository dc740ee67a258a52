import type { CommandOutcome, CommandRecord, CommandRefusal } from '../../application/command-log';

/** A row of `event_log`. */
export interface EventRow {
  position: number;
  slot: number;
  command_id: string;
  /** The event's place among its command's events, from 0: (command_id, command_index) is unique (migration 0017). */
  command_index: number;
  stream_type: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
}

/** A stream type: what `event_log.stream_type` (VARCHAR(32)) holds. */
export const STREAM_TYPE_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
/** A stream id: 1..128 visible ASCII characters, what `event_log.stream_id` (VARCHAR(128)) holds. */
export const STREAM_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/**
 * Parses a proposal's payload; a payload that is not a command record yields null, and so does
 * one naming a stream outside STREAM_TYPE_PATTERN / STREAM_ID_PATTERN (every node rejects it
 * alike, before it could reach the table).
 */
export function parseCommandRecord(payload: string): CommandRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as CommandRecord).events)) return null;
  const record = parsed as CommandRecord;
  const wellFormed = record.events.every(
    (e) =>
      typeof e?.streamType === 'string' &&
      STREAM_TYPE_PATTERN.test(e.streamType) &&
      typeof e.streamId === 'string' &&
      STREAM_ID_PATTERN.test(e.streamId) &&
      typeof e.type === 'string' &&
      Number.isInteger(e.schemaVersion),
  );
  if (!wellFormed) return null;
  if (record.refusal === undefined) return record;
  const { code, message } = (record.refusal ?? {}) as Partial<CommandRefusal>;
  const refusalWellFormed = typeof code === 'string' && typeof message === 'string' && record.events.length === 0;
  return refusalWellFormed ? record : null;
}

/**
 * Decides, deterministically, what applying a command does: its event rows and its outcome.
 * A malformed record or a stream that moved since the leader decided is rejected, with no rows;
 * so is a refusal record, whose outcome carries the refusal (when its streams did not move: a
 * refusal decided on stale state is decided again, like events).
 */
export function planCommand(
  slot: number,
  commandId: string,
  record: CommandRecord | null,
  nextPosition: number,
  versionOf: (streamKey: string) => number,
): { rows: EventRow[]; outcome: CommandOutcome } {
  if (record === null) return { rows: [], outcome: { commandId, slot, status: 'rejected', reason: 'malformed command record' } };
  const actor = actorOf(record);
  const requestHash = requestHashOf(record);
  const who = requestHash === undefined ? { actor } : { actor, requestHash };
  for (const [key, expected] of Object.entries(record.expected ?? {})) {
    const actual = versionOf(key);
    if (actual !== expected) {
      return { rows: [], outcome: { commandId, slot, status: 'rejected', reason: `stream ${key} is at version ${actual}, expected ${expected}`, ...who } };
    }
  }
  if (record.refusal !== undefined) {
    const refusal: CommandRefusal = { code: record.refusal.code, message: record.refusal.message };
    return { rows: [], outcome: { commandId, slot, status: 'rejected', reason: refusal.message, refusal, ...who } };
  }
  const versions = new Map<string, number>();
  const metadata = JSON.stringify({ ...record.metadata, commandId });
  const rows = record.events.map((e, i): EventRow => {
    const key = `${e.streamType}/${e.streamId}`;
    const version = (versions.get(key) ?? versionOf(key)) + 1;
    versions.set(key, version);
    return {
      position: nextPosition + i,
      slot,
      command_id: commandId,
      command_index: i,
      stream_type: e.streamType,
      stream_id: e.streamId,
      stream_version: version,
      type: e.type,
      schema_version: e.schemaVersion,
      data: JSON.stringify(e.data ?? null),
      metadata,
    };
  });
  const outcome: CommandOutcome =
    rows.length === 0
      ? { commandId, slot, status: 'applied', result: record.result, ...who }
      : outcomeWithEvents(commandId, slot, record, rows[0].position, rows[rows.length - 1].position);
  return { rows, outcome };
}

/**
 * The outcome of a command that applied and wrote the events at `firstPosition..lastPosition`:
 * what planning announces, and what a lookup rebuilds from the events and the log.
 */
export function outcomeWithEvents(commandId: string, slot: number, record: CommandRecord, firstPosition: number, lastPosition: number): CommandOutcome {
  const requestHash = requestHashOf(record);
  const who = requestHash === undefined ? { actor: actorOf(record) } : { actor: actorOf(record), requestHash };
  return { commandId, slot, status: 'applied', firstPosition, lastPosition, result: record.result, ...who };
}

function requestHashOf(record: CommandRecord): string | undefined {
  const hash = record.metadata?.requestHash;
  return typeof hash === 'string' ? hash : undefined;
}

function actorOf(record: CommandRecord): string | undefined {
  const actor = record.metadata?.actor as { username?: unknown } | undefined;
  return typeof actor?.username === 'string' ? actor.username : undefined;
}
