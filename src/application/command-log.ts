/*
 * What a command is in the replicated log, as the application decides and awaits it: the record
 * a proposal carries and the outcome applying it gives. The application owns these types; the
 * MySQL event store (infra/mysql) writes and reads them.
 */

/** One event a command decided, before it has a position. */
export interface EventDraft {
  readonly streamType: string;
  readonly streamId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}

/**
 * What a proposal carries in the log: the events the leader decided (never the command to
 * re-decide), the stream versions they were decided against, and their metadata.
 */
export interface CommandRecord {
  readonly events: readonly EventDraft[];
  /** `streamType/streamId` -> the version the leader saw; applying refuses the command if it moved. */
  readonly expected?: Readonly<Record<string, number>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** What the caller is answered when the command applies. */
  readonly result?: unknown;
  /**
   * The refusal the leader decided: the record then carries no events, and applying it records
   * the refusal as the command id's first outcome, so a retry gets the same refusal for ever.
   */
  readonly refusal?: CommandRefusal;
}

/** A refusal as the log carries it: the domain error's code and message. */
export interface CommandRefusal {
  readonly code: string;
  readonly message: string;
}

/** What became of a command id, the first time it was applied. */
export interface CommandOutcome {
  readonly commandId: string;
  readonly slot: number;
  readonly status: 'applied' | 'rejected';
  readonly firstPosition?: number;
  readonly lastPosition?: number;
  readonly reason?: string;
  readonly result?: unknown;
  /** Set when the command was refused by the leader's decision (not by applying): the refusal to answer again. */
  readonly refusal?: CommandRefusal;
  /** True when this answer repeats an earlier outcome of the same id. */
  readonly duplicate?: boolean;
  /** The username of who issued the command, from its metadata (when it names one). */
  readonly actor?: string;
  /** The digest of the request the command answers (its metadata's `requestHash`): the same id with another request is refused. */
  readonly requestHash?: string;
}
