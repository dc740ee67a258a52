import { BALLOT_ROUND_MAX } from '../../../src/consensus/ballot';
import fc from 'fast-check';
import type { Ballot } from '../../../src/consensus/ballot';
import type { Message, MessageType } from '../../../src/consensus/messages';
import type { ClientValue, SlotValue } from '../../../src/consensus/value';

/** fast-check generators of valid protocol messages, and one fixed example of each type. */

const MAX = Number.MAX_SAFE_INTEGER;
const slot = (): fc.Arbitrary<number> => fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: MAX }));
const watermark = (): fc.Arbitrary<number> =>
  fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: MAX }));

/** A ballot owned by one of `members`. */
export function ballotArb(members: readonly string[]): fc.Arbitrary<Ballot> {
  const round = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: BALLOT_ROUND_MAX }));
  return fc.record({ round, nodeId: fc.constantFrom(...members) });
}

/** Ids and payloads in every unicode plane, lone surrogates included. */
const text = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.string({ unit: 'binary', minLength, maxLength }),
      fc.string({
        unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
        minLength,
        maxLength,
      }),
    )
    .filter((s) => s.length >= minLength && s.length <= maxLength);

export const clientValueArb: fc.Arbitrary<ClientValue> = fc.record({ id: text(1, 128), payload: text(0, 300) });

export const slotValueArb: fc.Arbitrary<SlotValue> = fc.oneof(
  fc.constant<SlotValue>({ kind: 'noop' }),
  fc.record({ kind: fc.constant('batch' as const), values: fc.array(clientValueArb, { maxLength: 5 }) }),
);

/** A valid message of `type` from `from` to `to`; ballots that only their owner sends are `from`'s. */
export function messageArb(
  type: MessageType,
  from: string,
  to: string,
  members: readonly string[],
): fc.Arbitrary<Message> {
  const ballot = ballotArb(members);
  const own = ballotArb([from]);
  const env = { from: fc.constant(from), to: fc.constant(to) };
  const t = <T extends MessageType>(x: T) => fc.constant(x);
  const arbs: { [K in MessageType]: fc.Arbitrary<Message> } = {
    Phase1a: fc.record({ type: t('Phase1a'), ...env, ballot: own, fromSlot: slot() }),
    Phase1b: fc.record({
      type: t('Phase1b'),
      ...env,
      ballot,
      fromSlot: slot(),
      chosenWatermark: watermark(),
      accepted: fc.array(fc.record({ slot: slot(), ballot, value: slotValueArb }), { maxLength: 4 }),
      chosen: fc.array(fc.record({ slot: slot(), value: slotValueArb }), { maxLength: 4 }),
      truncated: fc.boolean(),
      incarnation: fc.constant('founding'),
    }),
    Phase2a: fc.record({
      type: t('Phase2a'),
      ...env,
      ballot: own,
      slot: slot(),
      value: slotValueArb,
      chosenWatermark: watermark(),
    }),
    Phase2b: fc.record({ type: t('Phase2b'), ...env, ballot, slot: slot(), incarnation: fc.constant('founding') }),
    Nack: fc.record({ type: t('Nack'), ...env, ballot, promised: ballot }),
    Heartbeat: fc.record({ type: t('Heartbeat'), ...env, ballot: own, chosenWatermark: watermark() }),
    HeartbeatReply: fc.record({ type: t('HeartbeatReply'), ...env, ballot, chosenWatermark: watermark(), incarnation: fc.constant('founding') }),
    TimeoutNow: fc.record({ type: t('TimeoutNow'), ...env, ballot: own }),
    Commit: fc.record({ type: t('Commit'), ...env, ballot: own, chosenWatermark: watermark() }),
    Propose: fc.record({ type: t('Propose'), ...env, values: fc.array(clientValueArb, { maxLength: 5 }) }),
    CatchupRequest: fc.record({ type: t('CatchupRequest'), ...env, fromSlot: slot(), maxSlots: slot() }),
    CatchupReply: fc.record({
      type: t('CatchupReply'),
      ...env,
      entries: fc.array(fc.record({ slot: slot(), value: slotValueArb }), { maxLength: 4 }),
      chosenWatermark: watermark(),
    }),
  };
  return arbs[type];
}

/** One hand-written message of every type, from `from` to `to`. */
export function exampleMessages(from: string, to: string): Message[] {
  const mine = { round: 3, nodeId: from };
  const theirs = { round: 3, nodeId: to };
  const batch: SlotValue = { kind: 'batch', values: [{ id: 'cmd-1', payload: '{"events":[]}' }] };
  return [
    { type: 'Phase1a', from, to, ballot: mine, fromSlot: 1 },
    {
      type: 'Phase1b',
      from,
      to,
      ballot: theirs,
      fromSlot: 1,
      chosenWatermark: 0,
      accepted: [{ slot: 2, ballot: mine, value: { kind: 'noop' } }],
      chosen: [{ slot: 1, value: batch }],
      truncated: false,
      incarnation: 'founding',
    },
    { type: 'Phase2a', from, to, ballot: mine, slot: 7, value: batch, chosenWatermark: 6 },
    { type: 'Phase2b', from, to, ballot: theirs, slot: 7, incarnation: 'founding' },
    { type: 'Nack', from, to, ballot: theirs, promised: { round: 9, nodeId: from } },
    { type: 'Heartbeat', from, to, ballot: mine, chosenWatermark: 6 },
    { type: 'HeartbeatReply', from, to, ballot: theirs, chosenWatermark: 5, incarnation: 'founding' },
    { type: 'TimeoutNow', from, to, ballot: mine },
    { type: 'Commit', from, to, ballot: mine, chosenWatermark: 7 },
    { type: 'Propose', from, to, values: [{ id: 'cmd-2', payload: 'p' }] },
    { type: 'CatchupRequest', from, to, fromSlot: 3, maxSlots: 100 },
    {
      type: 'CatchupReply',
      from,
      to,
      entries: [
        { slot: 3, value: batch },
        { slot: 4, value: { kind: 'noop' } },
      ],
      chosenWatermark: 9,
    },
  ];
}
