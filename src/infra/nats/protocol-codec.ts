import { INCARNATION_PATTERN, NODE_ID_PATTERN } from '../../consensus/membership';
import { FOUNDING_INCARNATION } from '../../consensus/replica';
import { slotValueJson } from '../../consensus/value';
import { MESSAGE_TYPES, type Message, type MessageType } from '../../consensus/messages';
import { BODY_READERS } from './protocol-body';
import { type CodecLimits, DEFAULT_CODEC_LIMITS, type FieldContext, isObject } from './protocol-fields';
import type { ProtocolSubject } from './subjects';

/**
 * The protocol version this release speaks. It travels in the `Protocol-Version` header of
 * every message (not in the body: a previous release refuses a body with a key it does not
 * know, but ignores headers), and a message without the header is version 1, what releases
 * before the header spoke.
 */
export const PROTOCOL_VERSION = 1;
/** The protocol versions this release reads. */
export const PROTOCOL_VERSIONS_READ: ReadonlySet<number> = new Set([1]);
/** The NATS header that carries a message's protocol version. */
export const PROTOCOL_VERSION_HEADER = 'Protocol-Version';
/**
 * The NATS header that carries the sender's storage incarnation: in a header, not the body, so
 * that a release before incarnations (which refuses unknown body keys) still reads the message.
 */
export const INCARNATION_HEADER = 'Incarnation';

/** Why a protocol message was refused; a small fixed set, so each can be a metric label. */
export type DecodeFailure =
  | 'version'
  | 'too-large'
  | 'bad-json'
  | 'unknown-type'
  | 'bad-field'
  | 'unknown-sender'
  | 'wrong-recipient'
  | 'wrong-cluster';

/** Every decode failure, for metrics that must show zeros too. */
export const DECODE_FAILURES: readonly DecodeFailure[] = [
  'version',
  'too-large',
  'bad-json',
  'unknown-type',
  'bad-field',
  'unknown-sender',
  'wrong-recipient',
  'wrong-cluster',
];

/** The outcome of decoding: a valid message, or the reason it was refused. */
export type DecodeResult =
  | { readonly ok: true; readonly message: Message }
  | { readonly ok: false; readonly reason: DecodeFailure };

/** Who may talk to whom, and how much. */
export interface DecodeOptions {
  readonly cluster: string;
  readonly self: string;
  /** Every member's id, self included. */
  readonly members: readonly string[];
  /** Largest accepted message body, in bytes. */
  readonly maxBytes: number;
  readonly limits?: CodecLimits;
}

const encoder = new TextEncoder();
// fatal: invalid UTF-8 is refused rather than silently turned into U+FFFD.
const decoder = new TextDecoder('utf-8', { fatal: true });
const knownTypes: ReadonlySet<string> = new Set(MESSAGE_TYPES);
// Shared, frozen failures: refusing a flood of garbage allocates nothing per message.
const failures = Object.fromEntries(
  DECODE_FAILURES.map((reason) => [reason, Object.freeze({ ok: false, reason })]),
) as Record<DecodeFailure, DecodeResult>;

/**
 * The body of `msg` on the wire: JSON without `from` and `to`, which travel in the subject.
 *
 * @example encodeMessage({ type: 'Phase2b', from: 'n2', to: 'n1', ballot, slot: 7 })
 */
export function encodeMessage(msg: Message): Uint8Array {
  if (msg.type === 'Phase2a') {
    // The value is the bulk of a Phase2a and goes to every peer: splice in its memoized JSON.
    const { from: _from, to: _to, value, ...head } = msg;
    const text = JSON.stringify(head);
    return encoder.encode(`${text.slice(0, -1)},"value":${slotValueJson(value)}}`);
  }
  const { from: _from, to: _to, ...body } = msg;
  // The incarnation travels in a header (INCARNATION_HEADER).
  if ('incarnation' in body) delete (body as { incarnation?: string }).incarnation;
  return encoder.encode(JSON.stringify(body));
}

/**
 * The protocol version a message's `Protocol-Version` header names: 1 when there is none (a
 * release before versions), null when it is not a version number.
 *
 * @example protocolVersionOf(undefined) // 1
 * @example protocolVersionOf('2') // 2
 */
export function protocolVersionOf(header: string | undefined): number | null {
  if (header === undefined || header === '') return 1;
  return /^[1-9][0-9]{0,8}$/.test(header) ? Number(header) : null;
}

/**
 * Decodes and validates a message a peer published on `subject` with the protocol version its
 * header named (`protocolVersionOf`; 1 when absent). Never throws: every check that fails
 * yields `{ok: false, reason}`; a version this release does not read is `version`, before
 * anything else is looked at. Cheap checks (subject, size) run before parsing. A valid message
 * is rebuilt field by field, so nothing a peer added survives.
 */
export function decodeMessage(
  subject: ProtocolSubject,
  bytes: Uint8Array,
  options: DecodeOptions,
  version: number | null = PROTOCOL_VERSION,
  incarnationHeader?: string,
): DecodeResult {
  if (version === null || !PROTOCOL_VERSIONS_READ.has(version)) return failures.version;
  const refused = checkEnvelope(subject, bytes, options);
  if (refused) return failures[refused];
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(bytes));
  } catch {
    return failures['bad-json'];
  }
  if (!isObject(body) || body.type !== subject.type) return failures['bad-field'];
  const ctx: FieldContext = { members: options.members, limits: options.limits ?? DEFAULT_CODEC_LIMITS };
  const read = BODY_READERS[subject.type as MessageType] as (
    b: typeof body,
    env: { from: string; to: string },
    c: FieldContext,
    h: { incarnation: string },
  ) => Message | undefined;
  if (incarnationHeader !== undefined && incarnationHeader !== '' && !INCARNATION_PATTERN.test(incarnationHeader)) return failures['bad-field'];
  const incarnation = incarnationHeader === undefined || incarnationHeader === '' ? FOUNDING_INCARNATION : incarnationHeader;
  const message = read(body, { from: subject.from, to: subject.to }, ctx, { incarnation });
  return message ? { ok: true, message } : failures['bad-field'];
}

/** The checks that need no parsing, in order of cost; null when all pass. */
function checkEnvelope(subject: ProtocolSubject, bytes: Uint8Array, o: DecodeOptions): DecodeFailure | null {
  if (subject.cluster !== o.cluster) return 'wrong-cluster';
  if (subject.to !== o.self) return 'wrong-recipient';
  // A node never sends to itself over NATS, so a message "from self" is forged. Any other node
  // id may speak (nodes join by membership changes); NATS permissions make the subject's sender true.
  if (subject.from === o.self || !NODE_ID_PATTERN.test(subject.from)) return 'unknown-sender';
  if (bytes.length > o.maxBytes) return 'too-large';
  if (!knownTypes.has(subject.type)) return 'unknown-type';
  return null;
}
