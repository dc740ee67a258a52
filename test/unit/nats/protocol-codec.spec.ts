import { BALLOT_ROUND_MAX } from '../../../src/consensus/ballot';
import fc from 'fast-check';
import { MESSAGE_TYPES, type Message, type MessageType } from '../../../src/consensus/messages';
import {
  DECODE_FAILURES,
  type DecodeOptions,
  type DecodeResult,
  PROTOCOL_VERSION,
  decodeMessage,
  encodeMessage,
  protocolVersionOf,
} from '../../../src/infra/nats/protocol-codec';
import type { ProtocolSubject } from '../../../src/infra/nats/subjects';
import { exampleMessages, messageArb } from './message-arbitraries';

const members = ['n1', 'n2', 'n3'];
const options: DecodeOptions = { cluster: 'c1', self: 'n1', members, maxBytes: 64 * 1024 };
const subjectOf = (m: Pick<Message, 'from' | 'to' | 'type'>): ProtocolSubject => ({
  cluster: 'c1',
  from: m.from,
  to: m.to,
  type: m.type,
});
const bytesOf = (body: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(body));
const bodyOf = (m: Message): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(encodeMessage(m))) as Record<string, unknown>;
const anyValidMessage = fc
  .tuple(fc.constantFrom(...MESSAGE_TYPES), fc.constantFrom('n2', 'n3'))
  .chain(([type, from]) => messageArb(type, from, 'n1', members));

function expectRefused(result: DecodeResult, reason: string): void {
  expect(result).toEqual({ ok: false, reason });
}

describe('protocol codec: round trips', () => {
  it.each(MESSAGE_TYPES.map((t) => [t]))('decodes what it encodes: %s', (type: MessageType) => {
    fc.assert(
      fc.property(fc.constantFrom('n2', 'n3'), (from) => {
        fc.assert(
          fc.property(messageArb(type, from, 'n1', members), (msg) => {
            expect(decodeMessage(subjectOf(msg), encodeMessage(msg), options)).toEqual({ ok: true, message: msg });
          }),
          { numRuns: 100 },
        );
      }),
      { numRuns: 2 },
    );
  });

  it('round trips the hand-written example of every type', () => {
    const examples = exampleMessages('n2', 'n1');
    expect(examples.map((m) => m.type).sort()).toEqual([...MESSAGE_TYPES].sort());
    for (const msg of examples)
      expect(decodeMessage(subjectOf(msg), encodeMessage(msg), options)).toEqual({ ok: true, message: msg });
  });

  it('keeps from and to out of the body', () => {
    for (const msg of exampleMessages('n2', 'n1')) {
      const body = bodyOf(msg);
      expect(body).not.toHaveProperty('from');
      expect(body).not.toHaveProperty('to');
      expect(body.type).toBe(msg.type);
    }
  });
});

describe('protocol codec: envelope checks', () => {
  const msg = exampleMessages('n2', 'n1')[3]!;
  const bytes = encodeMessage(msg);

  it('refuses another cluster', () =>
    expectRefused(decodeMessage({ ...subjectOf(msg), cluster: 'c2' }, bytes, options), 'wrong-cluster'));
  it('refuses a message for another node', () =>
    expectRefused(decodeMessage({ ...subjectOf(msg), to: 'n2' }, bytes, options), 'wrong-recipient'));
  it('takes a sender that is not a founding member (nodes join later; NATS permissions make the sender true)', () =>
    expect(decodeMessage({ ...subjectOf(msg), from: 'n9' }, bytes, options).ok).toBe(true));
  it('refuses a sender whose id is not a node id', () =>
    expectRefused(decodeMessage({ ...subjectOf(msg), from: 'n'.repeat(33) }, bytes, options), 'unknown-sender'));
  it('reads the sender incarnation from its header, founding when there is none, and refuses a malformed one', () => {
    const reply = encodeMessage({ type: 'HeartbeatReply', from: 'n2', to: 'n1', ballot: { round: 1, nodeId: 'n1' }, chosenWatermark: 3, incarnation: 'abc' });
    const subject = { cluster: 'c1', from: 'n2', to: 'n1', type: 'HeartbeatReply' } as const;
    expect(decodeMessage(subject, reply, options, 1, 'inc-7')).toMatchObject({ ok: true, message: { incarnation: 'inc-7' } });
    expect(decodeMessage(subject, reply, options, 1)).toMatchObject({ ok: true, message: { incarnation: 'founding' } });
    expectRefused(decodeMessage(subject, reply, options, 1, 'bad incarnation!'), 'bad-field');
  });
  it('refuses a message claiming to come from self', () =>
    expectRefused(decodeMessage({ ...subjectOf(msg), from: 'n1' }, bytes, options), 'unknown-sender'));
  it('refuses an unknown type', () =>
    expectRefused(decodeMessage({ ...subjectOf(msg), type: 'Phase3' }, bytes, options), 'unknown-type'));
  it('refuses a body whose type differs from the subject', () =>
    expectRefused(decodeMessage({ ...subjectOf(msg), type: 'Phase1a' }, bytes, options), 'bad-field'));

  it('refuses a message larger than maxBytes, and accepts one exactly at it', () => {
    const big: Message = { type: 'Propose', from: 'n2', to: 'n1', values: [{ id: 'x', payload: 'a'.repeat(1000) }] };
    const encoded = encodeMessage(big);
    expectRefused(decodeMessage(subjectOf(big), encoded, { ...options, maxBytes: encoded.length - 1 }), 'too-large');
    expect(decodeMessage(subjectOf(big), encoded, { ...options, maxBytes: encoded.length }).ok).toBe(true);
  });

  it('refuses invalid UTF-8, empty bodies and broken JSON', () => {
    for (const raw of [
      new Uint8Array([0xff, 0xfe, 0x7b]),
      new Uint8Array(0),
      bytesOf('x').subarray(0, 2),
      new TextEncoder().encode('{"type":'),
    ]) {
      expectRefused(decodeMessage(subjectOf(msg), raw, options), 'bad-json');
    }
  });

  it('refuses JSON that is not an object', () => {
    for (const body of [null, 1, 'Phase2b', [], [{ type: 'Phase2b' }], true]) {
      expectRefused(decodeMessage(subjectOf(msg), bytesOf(body), options), 'bad-field');
    }
  });
});

describe('protocol codec: field checks', () => {
  const base = exampleMessages('n2', 'n1');
  const byType = (t: MessageType): Message => base.find((m) => m.type === t)!;
  const refuse = (t: MessageType, patch: (body: Record<string, unknown>) => void): void => {
    const body = bodyOf(byType(t));
    patch(body);
    expectRefused(decodeMessage(subjectOf(byType(t)), bytesOf(body), options), 'bad-field');
  };

  it('refuses a ballot of an invalid node id, a negative, fractional, unsafe or too high round', () => {
    for (const ballot of [
      { round: BALLOT_ROUND_MAX + 1, nodeId: 'n2' },
      { round: 1, nodeId: 'n 9' },
      { round: -1, nodeId: 'n2' },
      { round: 1.5, nodeId: 'n2' },
      { round: 2 ** 53, nodeId: 'n2' },
      { round: '1', nodeId: 'n2' },
      { round: 1 },
      { round: 1, nodeId: 'n2', x: 1 },
      null,
    ]) {
      refuse('Phase2b', (b) => (b.ballot = ballot));
    }
  });

  it("refuses a leader's ballot owned by another node (a forged ballot)", () => {
    for (const t of ['Phase1a', 'Phase2a', 'Heartbeat', 'Commit'] as const)
      refuse(t, (b) => (b.ballot = { round: 3, nodeId: 'n3' }));
  });

  it('refuses slot 0 and negative watermarks, accepts watermark 0', () => {
    refuse('Phase2a', (b) => (b.slot = 0));
    refuse('CatchupRequest', (b) => (b.maxSlots = 0));
    refuse('Commit', (b) => (b.chosenWatermark = -1));
    refuse('Phase1b', (b) => (b.chosen = [0]));
    const ok = { ...byType('Commit'), chosenWatermark: 0 } as Message;
    expect(decodeMessage(subjectOf(ok), encodeMessage(ok), options).ok).toBe(true);
  });

  it('refuses bad slot values and client values', () => {
    const badValues = [
      { kind: 'nop' },
      { kind: 'noop', values: [] },
      { kind: 'batch' },
      { kind: 'batch', values: {} },
      { kind: 'batch', values: [{ id: '', payload: '' }] },
      { kind: 'batch', values: [{ id: 'x'.repeat(129), payload: '' }] },
      { kind: 'batch', values: [{ id: 'a', payload: 1 }] },
      { kind: 'batch', values: [{ id: 'a' }] },
      'noop',
      null,
    ];
    for (const value of badValues) refuse('Phase2a', (b) => (b.value = value));
  });

  it('refuses arrays longer than the limits', () => {
    const limits = { idLengthMax: 128, valuesMax: 3, entriesMax: 2 };
    const tight = { ...options, limits };
    const propose: Message = {
      type: 'Propose',
      from: 'n2',
      to: 'n1',
      values: [1, 2, 3, 4].map((i) => ({ id: `c${i}`, payload: '' })),
    };
    expectRefused(decodeMessage(subjectOf(propose), encodeMessage(propose), tight), 'bad-field');
    const reply: Message = {
      type: 'CatchupReply',
      from: 'n2',
      to: 'n1',
      chosenWatermark: 3,
      entries: [1, 2, 3].map((slot) => ({ slot, value: { kind: 'noop' } })),
    };
    expectRefused(decodeMessage(subjectOf(reply), encodeMessage(reply), tight), 'bad-field');
    const ok: Message = { ...propose, values: propose.values.slice(0, 3) };
    expect(decodeMessage(subjectOf(ok), encodeMessage(ok), tight).ok).toBe(true);
  });

  it('refuses a body that carries from or to', () => {
    refuse('Phase2b', (b) => (b.from = 'n3'));
    refuse('Heartbeat', (b) => (b.to = 'n1'));
  });

  it('refuses a __proto__ key rather than letting it reach the message', () => {
    const msg = byType('Phase2b');
    const raw = new TextEncoder().encode(
      '{"type":"Phase2b","ballot":{"round":1,"nodeId":"n1"},"slot":7,"__proto__":{"x":1}}',
    );
    expectRefused(decodeMessage(subjectOf(msg), raw, options), 'bad-field');
    const inBallot = '{"type":"Phase2b","ballot":{"round":1,"nodeId":"n1","__proto__":null},"slot":7}';
    expectRefused(decodeMessage(subjectOf(msg), new TextEncoder().encode(inBallot), options), 'bad-field');
  });

  it('returns a fresh message: nothing the peer sent survives but the known fields', () => {
    const msg = byType('Phase2a');
    const result = decodeMessage(subjectOf(msg), encodeMessage(msg), options);
    expect(result.ok && Object.keys(result.message).sort()).toEqual([
      'ballot',
      'chosenWatermark',
      'from',
      'slot',
      'to',
      'type',
      'value',
    ]);
  });
});

describe('protocol codec: hostile input (property tests)', () => {
  const subjectArb = fc.record({
    cluster: fc.constant('c1'),
    from: fc.constantFrom('n2', 'n3'),
    to: fc.constant('n1'),
    type: fc.oneof(fc.constantFrom(...MESSAGE_TYPES), fc.string()),
  });

  /** Whatever is accepted must be a valid message: it round-trips to itself. */
  const acceptedIsCanonical = (subject: ProtocolSubject, result: DecodeResult): void => {
    if (!result.ok) {
      expect(DECODE_FAILURES).toContain(result.reason);
      return;
    }
    expect(result.message.from).toBe(subject.from);
    expect(decodeMessage(subject, encodeMessage(result.message), options)).toEqual(result);
  };

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(subjectArb, fc.uint8Array({ maxLength: 300 }), (subject, bytes) => {
        acceptedIsCanonical(subject, decodeMessage(subject, bytes, options));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary JSON, nor on arbitrary objects typed like a message', () => {
    const typedObject = fc.tuple(fc.constantFrom(...MESSAGE_TYPES), fc.dictionary(fc.string(), fc.jsonValue()));
    fc.assert(
      fc.property(
        subjectArb,
        fc.oneof(
          fc.jsonValue(),
          typedObject.map(([type, o]) => ({ ...o, type })),
        ),
        (subject, body) => {
          acceptedIsCanonical(subject, decodeMessage(subject, bytesOf(body), options));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses a valid message with any node replaced by a value of another JSON kind', () => {
    fc.assert(
      fc.property(anyValidMessage, fc.nat(), fc.nat(), fc.jsonValue(), (msg, at, kindPick, seed) => {
        const body = bodyOf(msg);
        const nodes = childSlots(body);
        const [parent, key] = nodes[at % nodes.length]!;
        (parent as Record<string, unknown>)[key] = otherKind(parent[key as never], kindPick, seed);
        expectRefused(decodeMessage(subjectOf(msg), bytesOf(body), options), 'bad-field');
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a valid message with a key removed from, or added to, any object', () => {
    fc.assert(
      fc.property(
        anyValidMessage,
        fc.nat(),
        fc.boolean(),
        fc.string(),
        fc.jsonValue(),
        (msg, at, remove, key, extra) => {
          const body = bodyOf(msg);
          const objects = [body, ...childSlots(body).map(([p, k]) => (p as Record<string, unknown>)[k])].filter(
            isPlainObject,
          );
          const target = objects[at % objects.length]!;
          const keys = Object.keys(target);
          if (remove) delete target[keys[at % keys.length]!];
          else if (!keys.includes(key)) Object.defineProperty(target, key, { value: extra, enumerable: true });
          else return;
          expectRefused(decodeMessage(subjectOf(msg), bytesOf(body), options), 'bad-field');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses a valid message with any number made negative, fractional or unsafe', () => {
    const badNumber = fc.oneof(
      fc.integer({ min: -MAXS, max: -1 }),
      fc.double({ min: 0.01, max: 1e6, noInteger: true }),
      fc.double({ min: 2 ** 53, max: 1e300 }),
    );
    fc.assert(
      fc.property(anyValidMessage, fc.nat(), badNumber, (msg, at, bad) => {
        const body = bodyOf(msg);
        const numbers = childSlots(body).filter(([p, k]) => typeof (p as Record<string, unknown>)[k] === 'number');
        fc.pre(numbers.length > 0);
        const [parent, key] = numbers[at % numbers.length]!;
        (parent as Record<string, unknown>)[key] = bad;
        expectRefused(decodeMessage(subjectOf(msg), bytesOf(body), options), 'bad-field');
      }),
      { numRuns: 1000 },
    );
  });
});

const MAXS = Number.MAX_SAFE_INTEGER;

type Slot = [Record<string, unknown> | unknown[], string];

/** Every (container, key) below the root, depth first. */
function childSlots(root: Record<string, unknown> | unknown[]): Slot[] {
  const out: Slot[] = [];
  for (const key of Object.keys(root)) {
    out.push([root, key]);
    const child = (root as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null) out.push(...childSlots(child as Record<string, unknown>));
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON value whose kind (string, number, boolean, null, array, object) differs from `v`'s. */
function otherKind(v: unknown, pick: number, seed: unknown): unknown {
  const kindOf = (x: unknown): string => (x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x);
  const candidates: unknown[] = ['s', 7, true, null, [seed], { seed }, seed].filter((c) => kindOf(c) !== kindOf(v));
  return candidates[pick % candidates.length];
}

describe('protocol codec: versions', () => {
  const msg = exampleMessages('n2', 'n1').find((m) => m.type === 'Phase2b')!;

  it('speaks version 1, and reads a message without a version header as version 1', () => {
    expect(PROTOCOL_VERSION).toBe(1);
    expect(protocolVersionOf(undefined)).toBe(1);
    expect(protocolVersionOf('')).toBe(1);
    expect(protocolVersionOf('1')).toBe(1);
    expect(decodeMessage(subjectOf(msg), encodeMessage(msg), options, protocolVersionOf(undefined))).toEqual({ ok: true, message: msg });
  });

  it('refuses a version it does not read, and a header that is not a version, as version', () => {
    expect(protocolVersionOf('2')).toBe(2);
    for (const header of ['2', '0', '-1', '1.0', 'v1', '99999999999', ' 1'])
      expectRefused(decodeMessage(subjectOf(msg), encodeMessage(msg), options, protocolVersionOf(header)), 'version');
    expect(DECODE_FAILURES).toContain('version');
  });

  it('checks the version before anything else', () => {
    expectRefused(decodeMessage({ ...subjectOf(msg), cluster: 'other' }, bytesOf('not json'), options, 7), 'version');
  });

  it('never throws on any header text', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), (header) => {
        const result = decodeMessage(subjectOf(msg), encodeMessage(msg), options, protocolVersionOf(header));
        expect(result.ok).toBe(protocolVersionOf(header) === 1);
      }),
    );
  });
});
