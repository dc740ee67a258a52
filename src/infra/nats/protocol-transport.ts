import { FOUNDING_INCARNATION } from '../../consensus/replica';
import { type Msg, type MsgHdrs, type NatsConnection, type NatsError, type Subscription, headers } from 'nats';
import { ConfigError } from '../../consensus/config';
import type { Message } from '../../consensus/messages';
import { assert } from '../../shared/assert';
import type { NatsLog } from './connection';
import {
  DECODE_FAILURES,
  type DecodeFailure,
  type DecodeOptions,
  PROTOCOL_VERSION,
  PROTOCOL_VERSION_HEADER,
  INCARNATION_HEADER,
  decodeMessage,
  encodeMessage,
  protocolVersionOf,
} from './protocol-codec';
import { type CodecLimits, DEFAULT_CODEC_LIMITS } from './protocol-fields';
import { inboxSubject, isSubjectToken, parseProtocolSubject, protocolSubject } from './subjects';
import { failStopOnAssertion } from '../../shared/fail-stop';

/** Why a received message did not reach the handler: a decode failure, or the handler threw. */
export type DropReason = DecodeFailure | 'handler-error';

/** Every drop reason, for metrics that must show zeros too. */
export const DROP_REASONS: readonly DropReason[] = [...DECODE_FAILURES, 'handler-error'];

/** Why an outgoing message was not handed to NATS. */
export type SendFailure = 'too-large' | 'publish-failed';

/** Every send failure, for metrics. */
export const SEND_FAILURES: readonly SendFailure[] = ['too-large', 'publish-failed'];

/** Settings of one node's protocol transport. */
export interface ProtocolTransportOptions {
  readonly cluster: string;
  /** This node's id. */
  readonly self: string;
  /** Every member's id, self included. */
  readonly members: readonly string[];
  /** This node's storage incarnation, sent in a header with every message. */
  readonly incarnation?: string;
  /** Largest message body sent or accepted, in bytes; at most the server's max_payload. */
  readonly maxBytes: number;
  readonly limits?: CodecLimits;
  /** Where the first failure of each kind (and then every 10x more) is reported. */
  readonly log?: NatsLog;
}

/**
 * Carries protocol messages between the members of one cluster over NATS subjects
 * `paxos.<cluster>.<from>.<to>.<type>`. Delivery is at most once and unordered across
 * senders, which Paxos tolerates; its retransmissions cover the losses.
 *
 * @example
 * const transport = new NatsProtocolTransport(nc, { cluster: 'c1', self: 'n1', members, maxBytes: 1 << 20 });
 * transport.start((msg) => node.step(msg));
 * transport.send(ready.messages);
 */
export class NatsProtocolTransport {
  private readonly decodeOptions: DecodeOptions;
  private readonly drops = zeroCounts(DROP_REASONS);
  private readonly sendFailures = zeroCounts(SEND_FAILURES);
  private subscription: Subscription | null = null;
  private received = 0;
  /** Every message's header: the protocol version this node speaks (encoded anew by each publish). */
  private readonly versionHeader: MsgHdrs = headers();

  /** @throws ConfigError when the options are not a valid cluster of this connection. */
  constructor(
    private readonly nc: NatsConnection,
    private readonly options: ProtocolTransportOptions,
  ) {
    validateOptions(nc, options);
    const { cluster, self, members, maxBytes } = options;
    this.decodeOptions = { cluster, self, members, maxBytes, limits: options.limits ?? DEFAULT_CODEC_LIMITS };
    this.versionHeader.set(PROTOCOL_VERSION_HEADER, String(PROTOCOL_VERSION));
    if (options.incarnation !== undefined && options.incarnation !== FOUNDING_INCARNATION) this.versionHeader.set(INCARNATION_HEADER, options.incarnation);
  }

  /**
   * Subscribes to this node's inbox; `onMessage` gets valid messages only, one at a time.
   * Nothing escapes the subscription: refusals and handler errors are counted in `dropped()`.
   */
  start(onMessage: (msg: Message) => void): void {
    assert(this.subscription === null, 'NatsProtocolTransport.start called twice');
    const subject = inboxSubject(this.options.cluster, this.options.self);
    this.subscription = this.nc.subscribe(subject, {
      callback: (err, msg) => this.onNatsMessage(err, msg, onMessage),
    });
  }

  /**
   * Publishes each message on its subject. Oversized messages and publish errors (connection
   * closed) are counted in `sendFailed()`, not thrown: Paxos retransmits what is lost.
   * Sending to self, or as another node, is a programmer error and asserts.
   */
  send(msgs: readonly Message[]): void {
    for (const msg of msgs) {
      assert(msg.from === this.options.self, `cannot send as ${msg.from}: this node is ${this.options.self}`);
      assert(msg.to !== this.options.self, `${msg.type} addressed to self must be stepped locally, not sent`);
      this.publish(msg);
    }
  }

  /** Counts of received messages that were dropped, by reason (every reason present). */
  dropped(): Record<DropReason, number> {
    return { ...this.drops };
  }

  /** Counts of outgoing messages that were not handed to NATS, by reason. */
  sendFailed(): Record<SendFailure, number> {
    return { ...this.sendFailures };
  }

  /** Messages received on the inbox, valid or not. */
  receivedCount(): number {
    return this.received;
  }

  /** Stops receiving; the connection stays open (it belongs to the caller). Idempotent. */
  close(): void {
    const sub = this.subscription;
    if (sub && !sub.isClosed() && !this.nc.isClosed()) sub.unsubscribe();
  }

  private onNatsMessage(err: NatsError | null, msg: Msg, onMessage: (msg: Message) => void): void {
    if (err) {
      this.options.log?.('error', `protocol subscription error: ${err.message}`);
      return;
    }
    this.received++;
    const subject = parseProtocolSubject(msg.subject);
    const version = protocolVersionOf(msg.headers?.get(PROTOCOL_VERSION_HEADER));
    // The inbox wildcard only matches five-token subjects of this cluster; anything else is not ours.
    const result = subject ? decodeMessage(subject, msg.data, this.decodeOptions, version, msg.headers?.get(INCARNATION_HEADER)) : undefined;
    if (!result || !result.ok) {
      const reason = result ? result.reason : 'wrong-cluster';
      const detail = reason === 'version' ? `${msg.subject}: protocol version ${msg.headers?.get(PROTOCOL_VERSION_HEADER)}; this node speaks ${PROTOCOL_VERSION}` : msg.subject;
      this.countDrop(reason, detail);
      return;
    }
    try {
      onMessage(result.message);
    } catch (e) {
      // A broken invariant is not a bad message: the node stops rather than carry on.
      if (failStopOnAssertion(`protocol handler (${msg.subject})`, e)) return;
      this.countDrop('handler-error', `${msg.subject}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  private publish(msg: Message): void {
    const bytes = encodeMessage(msg);
    if (bytes.length > this.options.maxBytes) {
      this.countSendFailure('too-large', `${msg.type} to ${msg.to}: ${bytes.length} > ${this.options.maxBytes} bytes`);
      return;
    }
    try {
      this.nc.publish(protocolSubject(this.options.cluster, msg), bytes, { headers: this.versionHeader });
    } catch (e) {
      this.countSendFailure(
        'publish-failed',
        `${msg.type} to ${msg.to}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  private countDrop(reason: DropReason, detail: string): void {
    const n = ++this.drops[reason];
    // A flood of garbage must not become a flood of log lines: log at 1, 10, 100, ...
    if (isPowerOfTen(n)) this.options.log?.('warn', `dropped protocol message (${reason}, ${n} so far): ${detail}`);
  }

  private countSendFailure(reason: SendFailure, detail: string): void {
    const n = ++this.sendFailures[reason];
    if (isPowerOfTen(n)) this.options.log?.('warn', `protocol message not sent (${reason}, ${n} so far): ${detail}`);
  }
}

function validateOptions(nc: NatsConnection, o: ProtocolTransportOptions): void {
  const bad = (why: string): never => {
    throw new ConfigError(`protocol transport: ${why}`);
  };
  if (!isSubjectToken(o.cluster)) bad(`cluster '${o.cluster}' must match [A-Za-z0-9_-]{1,64}`);
  if (!o.members.every(isSubjectToken)) bad(`member ids must match [A-Za-z0-9_-]{1,64}: ${o.members.join(',')}`);
  if (new Set(o.members).size !== o.members.length) bad(`members must be distinct: ${o.members.join(',')}`);
  if (!isSubjectToken(o.self)) bad(`self '${o.self}' must match [A-Za-z0-9_-]{1,64}`);
  if (!Number.isSafeInteger(o.maxBytes) || o.maxBytes < 1)
    bad(`maxBytes must be a positive integer, got ${o.maxBytes}`);
  const serverMax = nc.info?.max_payload;
  if (serverMax !== undefined && o.maxBytes > serverMax) {
    bad(`maxBytes ${o.maxBytes} exceeds the NATS server's max_payload ${serverMax}`);
  }
}

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

function isPowerOfTen(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}
