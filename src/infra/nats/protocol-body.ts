import type { Ballot } from '../../consensus/ballot';
import type { Message, MessageType } from '../../consensus/messages';
import {
  type FieldContext,
  type JsonObject,
  hasKeyCount,
  isNonNegativeInt,
  isPositiveInt,
  readAcceptedEntry,
  readArray,
  readBallot,
  readChosenEntry,
  readClientValues,
  readSlotValue,
} from './protocol-fields';

/**
 * Per message type, the reader of its body: the JSON object a peer sent, without `from` and
 * `to` (they come from the subject). Every key is required and no other key is allowed.
 */

/** Sender and recipient, taken from the subject. */
export interface BodyEnvelope {
  readonly from: string;
  readonly to: string;
}

/** What travels in headers: the sender's storage incarnation (founding when a release before incarnations sent it). */
export interface HeaderFields {
  readonly incarnation: string;
}

type BodyReader<T extends MessageType> = (
  body: JsonObject,
  env: BodyEnvelope,
  ctx: FieldContext,
  headers: HeaderFields,
) => Extract<Message, { type: T }> | undefined;

/** One reader per message type; `body.type` has already been matched against the subject. */
export const BODY_READERS: { readonly [T in MessageType]: BodyReader<T> } = {
  Phase1a: (b, env, ctx) => {
    // `transfer` is only ever sent as true (a leader handed over), so a release before it reads the rest unchanged.
    const transfer = b.transfer === true;
    const ballot = hasKeyCount(b, transfer ? 4 : 3) ? ownBallot(b.ballot, env, ctx) : undefined;
    if (!ballot || !isPositiveInt(b.fromSlot)) return undefined;
    return transfer ? { type: 'Phase1a', ...env, ballot, fromSlot: b.fromSlot, transfer } : { type: 'Phase1a', ...env, ballot, fromSlot: b.fromSlot };
  },
  Phase1b: (b, env, ctx, h) => {
    const ballot = hasKeyCount(b, 7) ? readBallot(b.ballot, ctx) : undefined;
    if (!ballot || !isPositiveInt(b.fromSlot) || !isNonNegativeInt(b.chosenWatermark) || typeof b.truncated !== 'boolean') return undefined;
    const accepted = readArray(b.accepted, ctx.limits.entriesMax, (e) => readAcceptedEntry(e, ctx));
    const chosen = accepted && readArray(b.chosen, ctx.limits.entriesMax, (e) => readChosenEntry(e, ctx));
    if (!accepted || !chosen) return undefined;
    return {
      type: 'Phase1b',
      ...env,
      ballot,
      incarnation: h.incarnation,
      fromSlot: b.fromSlot,
      chosenWatermark: b.chosenWatermark,
      accepted,
      chosen,
      truncated: b.truncated,
    };
  },
  Phase2a: (b, env, ctx) => {
    const ballot = hasKeyCount(b, 5) ? ownBallot(b.ballot, env, ctx) : undefined;
    if (!ballot || !isPositiveInt(b.slot) || !isNonNegativeInt(b.chosenWatermark)) return undefined;
    const value = readSlotValue(b.value, ctx);
    if (!value) return undefined;
    return { type: 'Phase2a', ...env, ballot, slot: b.slot, value, chosenWatermark: b.chosenWatermark };
  },
  Phase2b: (b, env, ctx, h) => {
    const ballot = hasKeyCount(b, 3) ? readBallot(b.ballot, ctx) : undefined;
    if (!ballot || !isPositiveInt(b.slot)) return undefined;
    return { type: 'Phase2b', ...env, ballot, slot: b.slot, incarnation: h.incarnation };
  },
  Nack: (b, env, ctx) => {
    const ballot = hasKeyCount(b, 3) ? readBallot(b.ballot, ctx) : undefined;
    const promised = ballot && readBallot(b.promised, ctx);
    if (!ballot || !promised) return undefined;
    return { type: 'Nack', ...env, ballot, promised };
  },
  Heartbeat: (b, env, ctx) => {
    const w = watermarkBody(b, env, ctx, ownBallot);
    return w && { type: 'Heartbeat', ...env, ...w };
  },
  HeartbeatReply: (b, env, ctx, h) => {
    const w = watermarkBody(b, env, ctx, (v) => readBallot(v, ctx));
    return w && { type: 'HeartbeatReply', ...env, ...w, incarnation: h.incarnation };
  },
  Commit: (b, env, ctx) => {
    const w = watermarkBody(b, env, ctx, ownBallot);
    return w && { type: 'Commit', ...env, ...w };
  },
  Propose: (b, env, ctx) => {
    const values = hasKeyCount(b, 2) ? readClientValues(b.values, ctx) : undefined;
    return values && { type: 'Propose', ...env, values };
  },
  CatchupRequest: (b, env) => {
    if (!hasKeyCount(b, 3) || !isPositiveInt(b.fromSlot) || !isPositiveInt(b.maxSlots)) return undefined;
    return { type: 'CatchupRequest', ...env, fromSlot: b.fromSlot, maxSlots: b.maxSlots };
  },
  TimeoutNow: (b, env, ctx) => {
    const ballot = hasKeyCount(b, 2) ? ownBallot(b.ballot, env, ctx) : undefined;
    return ballot && { type: 'TimeoutNow', ...env, ballot };
  },
  CatchupReply: (b, env, ctx) => {
    if (!hasKeyCount(b, 3) || !isNonNegativeInt(b.chosenWatermark)) return undefined;
    const entries = readArray(b.entries, ctx.limits.entriesMax, (e) => readChosenEntry(e, ctx));
    return entries && { type: 'CatchupReply', ...env, entries, chosenWatermark: b.chosenWatermark };
  },
};

/**
 * The ballot of a message only its owner sends (Phase1a, Phase2a, Heartbeat, Commit): a node
 * only ever uses its own id in its ballots, so a different nodeId is a forged ballot.
 */
function ownBallot(v: unknown, env: BodyEnvelope, ctx: FieldContext): Ballot | undefined {
  const ballot = readBallot(v, ctx);
  return ballot && ballot.nodeId === env.from ? ballot : undefined;
}

/** The shared body of Heartbeat, HeartbeatReply and Commit: `{type, ballot, chosenWatermark}`. */
function watermarkBody(
  b: JsonObject,
  env: BodyEnvelope,
  ctx: FieldContext,
  readOwnBallot: (v: unknown, env: BodyEnvelope, ctx: FieldContext) => Ballot | undefined,
): { ballot: Ballot; chosenWatermark: number } | undefined {
  const ballot = hasKeyCount(b, 3) ? readOwnBallot(b.ballot, env, ctx) : undefined;
  if (!ballot || !isNonNegativeInt(b.chosenWatermark)) return undefined;
  return { ballot, chosenWatermark: b.chosenWatermark };
}
