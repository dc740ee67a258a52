import type { Ballot } from './ballot';
import type { AcceptedEntry, ChosenEntry, ClientValue, SlotValue } from './value';

/**
 * The protocol messages. `from` and `to` are node ids; over NATS `from` is taken from the
 * subject, never from the body.
 */
export type Message =
  | Phase1a
  | Phase1b
  | Phase2a
  | Phase2b
  | Nack
  | Heartbeat
  | HeartbeatReply
  | Commit
  | Propose
  | CatchupRequest
  | CatchupReply
  | TimeoutNow;

export type MessageType = Message['type'];

interface Envelope {
  readonly from: string;
  readonly to: string;
}

/** A candidate asks for a promise covering every slot from `fromSlot` on. */
export interface Phase1a extends Envelope {
  readonly type: 'Phase1a';
  readonly ballot: Ballot;
  readonly fromSlot: number;
  /** Set when a leader handed over to this candidate: followers answer though they heard that leader lately. */
  readonly transfer?: boolean;
}

/** A promise, with what the acceptor accepted (or knows chosen) from `fromSlot` on. */
export interface Phase1b extends Envelope {
  readonly type: 'Phase1b';
  readonly ballot: Ballot;
  /** The promiser's storage incarnation: a promise counts only from the incarnation the configuration binds. */
  readonly incarnation: string;
  readonly fromSlot: number;
  /** The acceptor's chosen watermark: every slot up to it is chosen and known to it. */
  readonly chosenWatermark: number;
  /** What the acceptor accepted, for slots it does not know chosen. */
  readonly accepted: readonly AcceptedEntry[];
  /** Slots above its watermark the acceptor knows chosen, with the chosen value (not its own accept). */
  readonly chosen: readonly ChosenEntry[];
  /**
   * True when the entries stop short (at `phase1bBytesMax`): the candidate must not lead on this
   * promise; it catches up first, which moves `fromSlot` past the bulk of them.
   */
  readonly truncated: boolean;
}

/** The leader asks acceptors to accept `value` in `slot`; carries the leader's watermark. */
export interface Phase2a extends Envelope {
  readonly type: 'Phase2a';
  readonly ballot: Ballot;
  readonly slot: number;
  readonly value: SlotValue;
  readonly chosenWatermark: number;
}

/** An acceptor accepted `slot` in `ballot`; its accept is durable before this is sent. */
export interface Phase2b extends Envelope {
  readonly type: 'Phase2b';
  readonly ballot: Ballot;
  /** The acceptor's storage incarnation (see Phase1b). */
  readonly incarnation: string;
  readonly slot: number;
}

/** A refusal that carries the higher ballot the acceptor has promised. */
export interface Nack extends Envelope {
  readonly type: 'Nack';
  /** The refused ballot. */
  readonly ballot: Ballot;
  /** The acceptor's promise, higher than `ballot`. */
  readonly promised: Ballot;
}

/** The leader is alive; carries its chosen watermark. */
export interface Heartbeat extends Envelope {
  readonly type: 'Heartbeat';
  readonly ballot: Ballot;
  readonly chosenWatermark: number;
}

/** A follower answers a heartbeat with its own watermark, so the leader sees who is reachable. */
export interface HeartbeatReply extends Envelope {
  readonly type: 'HeartbeatReply';
  readonly ballot: Ballot;
  /** The follower's storage incarnation, so the leader can bind it and see lost state. */
  readonly incarnation: string;
  readonly chosenWatermark: number;
}

/** The leader's chosen watermark moved; sent as soon as it moves. */
export interface Commit extends Envelope {
  readonly type: 'Commit';
  readonly ballot: Ballot;
  readonly chosenWatermark: number;
}

/** A follower forwards client values to the leader it knows. */
export interface Propose extends Envelope {
  readonly type: 'Propose';
  readonly values: readonly ClientValue[];
}

/** A node that missed chosen values asks a peer for them, a bounded batch at a time. */
export interface CatchupRequest extends Envelope {
  readonly type: 'CatchupRequest';
  readonly fromSlot: number;
  readonly maxSlots: number;
}

/** Chosen values from the peer's log, contiguous from the requested slot. */
export interface CatchupReply extends Envelope {
  readonly type: 'CatchupReply';
  readonly entries: readonly ChosenEntry[];
  /** The responder's chosen watermark, so the asker knows whether to ask again. */
  readonly chosenWatermark: number;
}

/** A leader leaving the configuration asks a caught-up voter to campaign at once. */
export interface TimeoutNow extends Envelope {
  readonly type: 'TimeoutNow';
  /** The handing-over leader's ballot. */
  readonly ballot: Ballot;
}

/** Every message type, for validation and metrics. */
export const MESSAGE_TYPES: readonly MessageType[] = [
  'Phase1a',
  'Phase1b',
  'Phase2a',
  'Phase2b',
  'Nack',
  'Heartbeat',
  'HeartbeatReply',
  'Commit',
  'Propose',
  'CatchupRequest',
  'CatchupReply',
  'TimeoutNow',
];
