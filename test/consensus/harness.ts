import { type Ballot, compareBallots, formatBallot } from '../../src/consensus/ballot';
import { catchupReply } from '../../src/consensus/catchup';
import { type ConsensusConfig, type ConsensusConfigInput, consensusConfig } from '../../src/consensus/config';
import type { CatchupRequest, Message, MessageType } from '../../src/consensus/messages';
import type { Ready } from '../../src/consensus/ready';
import { type ProposeResult, Replica, type ReplicaStatus } from '../../src/consensus/replica';
import type { ChosenEntry, ClientValue, SlotValue } from '../../src/consensus/value';
import { type Random, seededRandom } from '../../src/shared/random';
import { SimStorage } from '../../src/simulation/sim-node';

/**
 * A scripted-interaction harness for the Multi-Paxos core, in the spirit of etcd/raft's
 * `testdata/*.txt`: nothing moves unless the script says so. Replicas `n1..nK` run the real
 * core; after every input the harness drives the replica's Ready like a real driver would
 * (send `sendFirst`, persist, send `messages`, apply, advance). Sent messages wait in flight until the
 * script delivers, drops or duplicates them.
 *
 * @example
 * const h = cluster({ nodes: 3 });
 * h.elect('n1', ['n2']);                             // n1 campaigns; n2 promises
 * h.propose('n1', 'A');                              // n1 sends Phase2a for slot 1
 * h.deliver({ type: 'Phase2a', to: 'n2' });          // n2 accepts
 * h.deliver({ type: 'Phase2b', from: 'n2' });        // A is chosen at n1
 * expect(h.log('n1')).toEqual(['A']);
 */

/** Which messages a step of the script talks about; every given field must match. */
export interface MessageFilter {
  readonly type?: MessageType | readonly MessageType[];
  readonly from?: string | readonly string[];
  readonly to?: string | readonly string[];
  /** Only messages that carry this slot (Phase2a, Phase2b). */
  readonly slot?: number;
  readonly where?: (m: Message) => boolean;
}

/** The settings of the scripted cluster; `config` overrides the harness's small defaults. */
export interface ClusterOptions {
  readonly nodes?: number;
  /** Node i draws its election timeouts from seededRandom(seed + i), never exactly electionTicksMin. */
  readonly seed?: number;
  readonly config?: Partial<Omit<ConsensusConfigInput, 'nodeId' | 'members'>>;
}

/** Small timings so that scripts need few ticks; Phase 1 and catch-up limits stay the core's. */
export const SCRIPT_DEFAULTS = {
  heartbeatTicks: 3,
  electionTicksMin: 10,
  electionTicksMax: 40,
  retransmitTicks: 25,
} as const;

interface ScriptedNode {
  readonly id: string;
  readonly config: ConsensusConfig;
  readonly random: Random;
  readonly storage: SimStorage;
  replica: Replica;
  up: boolean;
  /** The chosen entries this node handed out to its state machine, in order. */
  applied: ChosenEntry[];
  /** Every Ready the replica produced, in order. */
  readonly readies: Ready[];
}

/** A scripted cluster: see the file's doc comment. */
export class Cluster {
  readonly ids: readonly string[];
  private readonly nodes = new Map<string, ScriptedNode>();
  private inflight: Message[] = [];
  private readonly history: Message[] = [];
  /** Phase1b/Phase2b that left a node before the promise or accept they depend on was stored. */
  readonly unpersistedAnswers: string[] = [];

  constructor(options: ClusterOptions = {}) {
    const count = options.nodes ?? 3;
    const seed = options.seed ?? 1;
    this.ids = Array.from({ length: count }, (_, i) => `n${i + 1}`);
    this.ids.forEach((id, i) => {
      const config = consensusConfig({ ...SCRIPT_DEFAULTS, ...options.config, nodeId: id, members: this.ids });
      const random = neverZero(seededRandom(seed + i));
      const node: ScriptedNode = {
        id,
        config,
        random,
        storage: new SimStorage('founding'),
        replica: new Replica(config, random),
        up: true,
        applied: [],
        readies: [],
      };
      this.nodes.set(id, node);
    });
  }

  /** The validated configuration of a node (all nodes share the same settings). */
  config(id = 'n1'): ConsensusConfig {
    return this.node(id).config;
  }

  status(id: string): ReplicaStatus {
    return this.node(id).replica.status();
  }

  /** The storage that survives a crash of `id`. */
  storage(id: string): SimStorage {
    return this.node(id).storage;
  }

  /** Every Ready `id` produced since the cluster (or its last restart) began. */
  readies(id: string): readonly Ready[] {
    return this.node(id).readies;
  }

  /** The chosen entries `id` handed out, in order (after a restart: its stored log, then the new ones). */
  applied(id: string): readonly ChosenEntry[] {
    return this.node(id).applied;
  }

  /** `applied(id)` in short: 'noop' or the payloads of a batch joined by '+'. */
  log(id: string): string[] {
    return this.applied(id).map((e) => show(e.value));
  }

  /** A client hands values (named by their payloads) to `id`. */
  propose(id: string, ...payloads: string[]): ProposeResult {
    const node = this.liveNode(id);
    const result = node.replica.propose(payloads.map(clientValue));
    this.process(node);
    return result;
  }

  /** Ticks each of `ids` (default: every live node) `times` times. */
  tick(ids: string | readonly string[] = this.liveIds(), times = 1): void {
    const list = typeof ids === 'string' ? [ids] : ids;
    for (let t = 0; t < times; t++) {
      for (const id of list) {
        const node = this.liveNode(id);
        node.replica.tick();
        this.process(node);
      }
    }
  }

  /**
   * Ticks `ids` (default: every live node) until `predicate` holds; messages stay in flight.
   * Returns the ticks it took; throws when `max` ticks were not enough.
   */
  tickUntil(predicate: () => boolean, max: number, ids: readonly string[] = this.liveIds()): number {
    for (let ticks = 0; ; ticks++) {
      if (predicate()) return ticks;
      if (ticks >= max) throw new Error(`condition not reached within ${max} ticks`);
      this.tick(ids);
    }
  }

  /** Ticks `id` alone until it campaigns; its Phase1a messages stay in flight. */
  campaign(id: string): void {
    const before = this.status(id).role === 'candidate' ? this.status(id).ballot : null;
    this.tickUntil(
      () =>
        this.status(id).role === 'candidate' && (before === null || compareBallots(this.status(id).ballot, before) > 0),
      this.config(id).electionTicksMax + 1,
      [id],
    );
  }

  /**
   * `id` campaigns; only `voters` hear its Phase1a (the others' copies are dropped); their
   * Phase1b reach it, and it must lead. Messages it sends as a new leader stay in flight.
   */
  elect(id: string, voters: readonly string[]): void {
    this.campaign(id);
    this.drop({ type: 'Phase1a', from: id, where: (m) => !voters.includes(m.to) });
    this.deliver({ type: 'Phase1a', from: id, to: voters });
    this.deliver({ type: 'Phase1b', from: voters, to: id });
    const status = this.status(id);
    if (status.role !== 'leader') throw new Error(`${id} did not win its election: ${status.role}`);
  }

  /** Every message ever sent (a duplicate made by `duplicate` is not a send), oldest first. */
  sent(filter: MessageFilter = {}): Message[] {
    return this.history.filter((m) => matches(m, filter));
  }

  /** Messages sent and not yet delivered or dropped, oldest first. */
  inFlight(filter: MessageFilter = {}): Message[] {
    return this.inflight.filter((m) => matches(m, filter));
  }

  /**
   * Delivers every matching message in flight, oldest first; answers they cause stay in flight.
   * A CatchupRequest is served by the recipient's driver from its stored log. A message to a
   * crashed node is lost. Throws when nothing matches, so that a script cannot silently miss.
   */
  deliver(filter: MessageFilter = {}): Message[] {
    const batch = this.take(filter);
    if (batch.length === 0) {
      throw new Error(
        `nothing in flight matches ${JSON.stringify(filter)}; in flight: ${this.inflight.map(describeMessage).join(' | ')}`,
      );
    }
    for (const m of batch) this.arrive(m);
    return batch;
  }

  /** Loses every matching message in flight. */
  drop(filter: MessageFilter = {}): Message[] {
    return this.take(filter);
  }

  /** The network duplicates every matching message in flight: each copy arrives right after it. */
  duplicate(filter: MessageFilter): void {
    this.inflight = this.inflight.flatMap((m) => (matches(m, filter) ? [m, { ...m }] : [m]));
  }

  /** A message arrives as if from the network, e.g. a copy of one already delivered. */
  inject(message: Message): void {
    this.arrive({ ...message });
  }

  /**
   * Delivers hop after hop until nothing is in flight, losing what `drop` matches and keeping
   * what `hold` matches in flight (a delayed message) without delivering it.
   */
  settle(options: { drop?: MessageFilter; hold?: MessageFilter; maxHops?: number } = {}): void {
    const maxHops = options.maxHops ?? 1000;
    const hold = options.hold;
    const deliverable: MessageFilter = { where: (m) => hold === undefined || !matches(m, hold) };
    for (let hop = 0; ; hop++) {
      if (options.drop) this.drop(options.drop);
      if (this.inFlight(deliverable).length === 0) return;
      if (hop >= maxHops) throw new Error(`still messages in flight after ${maxHops} hops`);
      this.deliver(deliverable);
    }
  }

  /** A healthy network: each tick, every live node ticks, then what was in flight arrives. */
  run(ticks: number, options: { drop?: MessageFilter } = {}): void {
    for (let t = 0; t < ticks; t++) this.runTick(options.drop);
  }

  /** `run` until `predicate` holds; throws after `max` ticks. Returns the ticks it took. */
  runUntil(predicate: () => boolean, max: number, options: { drop?: MessageFilter } = {}): number {
    for (let ticks = 0; ; ticks++) {
      if (predicate()) return ticks;
      if (ticks >= max) throw new Error(`condition not reached within ${max} ticks`);
      this.runTick(options.drop);
    }
  }

  /** `id` stops: everything it did not persist is lost; messages to it are lost. */
  crash(id: string): void {
    this.liveNode(id).up = false;
  }

  /** `id` starts again from its storage and replays its stored log to its state machine. */
  restart(id: string): void {
    const node = this.node(id);
    if (node.up) throw new Error(`${id} is running`);
    node.replica = new Replica(node.config, node.random, node.storage.restore());
    node.applied = [...node.storage.chosen];
    node.up = true;
  }

  private runTick(drop: MessageFilter | undefined): void {
    this.tick();
    if (drop) this.drop(drop);
    const batch = this.take({});
    for (const m of batch) this.arrive(m);
  }

  private take(filter: MessageFilter): Message[] {
    const taken = this.inflight.filter((m) => matches(m, filter));
    this.inflight = this.inflight.filter((m) => !matches(m, filter));
    return taken;
  }

  private arrive(m: Message): void {
    const node = this.node(m.to);
    if (!node.up) return;
    if (m.type === 'CatchupRequest') return this.serveCatchup(node, m);
    node.replica.step(m);
    this.process(node);
  }

  /**
   * What a driver does with a CatchupRequest: answer from the stored log. The whole tail from
   * the asked slot is handed over, so that the batch bound is `catchupReply`'s to keep.
   */
  private serveCatchup(node: ScriptedNode, request: CatchupRequest): void {
    const stored = node.storage.chosen.slice(request.fromSlot - 1);
    this.send(catchupReply(request, stored, node.storage.chosen.length, node.config.catchupBatchMax));
  }

  /**
   * The driver's loop: send what may go first, persist, send the rest, apply, advance. What
   * leaves is checked against what is stored at that moment.
   */
  private process(node: ScriptedNode): void {
    for (let round = 0; node.replica.hasReady(); round++) {
      if (round >= 100) throw new Error(`${node.id} keeps producing Ready`);
      const ready = node.replica.ready();
      node.readies.push(ready);
      this.auditAnswers(node, ready.sendFirst);
      for (const m of ready.sendFirst) this.send(m);
      const error = node.storage.persistAcceptor(ready) ?? node.storage.storeChosen(ready.chosen);
      if (error) throw new Error(`${node.id}: storage refused a Ready: ${error}`);
      this.auditAnswers(node, ready.messages);
      for (const m of ready.messages) this.send(m);
      node.applied.push(...ready.chosen);
      if (ready.chosen.length > 0) node.replica.advance(ready.chosen[ready.chosen.length - 1].slot);
    }
  }

  /** Persist before send: every promise or accept an answer vouches for must already be stored. */
  private auditAnswers(node: ScriptedNode, leaving: readonly Message[]): void {
    const { storage } = node;
    for (const m of leaving) {
      if (m.type === 'Phase1b' && compareBallots(storage.promised, m.ballot) < 0) {
        this.unpersistedAnswers.push(
          `${node.id} sent ${describeMessage(m)} with promise ${formatBallot(storage.promised)} stored`,
        );
      }
      if (m.type === 'Phase2b' && m.slot > storage.chosen.length) {
        const stored = storage.accepted.get(m.slot);
        if (!stored || compareBallots(stored.ballot, m.ballot) < 0) {
          this.unpersistedAnswers.push(`${node.id} sent ${describeMessage(m)} before storing the accept`);
        }
      }
    }
  }

  private send(m: Message): void {
    this.history.push(m);
    this.inflight.push(m);
  }

  private liveIds(): string[] {
    return this.ids.filter((id) => this.node(id).up);
  }

  private liveNode(id: string): ScriptedNode {
    const node = this.node(id);
    if (!node.up) throw new Error(`${id} is crashed`);
    return node;
  }

  private node(id: string): ScriptedNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }
}

/**
 * A seeded source whose `int` never draws 0, so election timeouts fall in (min, max): a follower
 * that waits out its leader for `electionTicksMin` ticks stops being loyal to it at least one
 * tick before it may campaign itself, whatever the seed. Scripts rely on that window.
 */
function neverZero(random: Random): Random {
  return {
    float: () => random.float(),
    int: (maxExclusive) => (maxExclusive > 1 ? 1 + random.int(maxExclusive - 1) : 0),
  };
}

/** A scripted cluster of `n1..nK`; see `Cluster`. */
export function cluster(options: ClusterOptions = {}): Cluster {
  return new Cluster(options);
}

/** A client value whose id and payload are both `name`. */
export function clientValue(name: string): ClientValue {
  return { id: name, payload: name };
}

/** A slot value in short: 'noop', or the payloads of a batch joined by '+'. */
export function show(value: SlotValue): string {
  if (value.kind === 'config') return `config:${value.change.op}:${value.change.nodeId}`;
  return value.kind === 'noop' ? 'noop' : value.values.map((v) => v.payload).join('+');
}

/** A ballot literal: `ballot(2, 'n3')`. */
export function ballot(round: number, nodeId: string): Ballot {
  return { round, nodeId };
}

/** The messages of one type, typed. */
export function ofType<T extends MessageType>(messages: readonly Message[], type: T): Extract<Message, { type: T }>[] {
  return messages.filter((m): m is Extract<Message, { type: T }> => m.type === type);
}

/** One line per message, for failure output. */
export function describeMessage(m: Message): string {
  const head = `${m.type} ${m.from}->${m.to}`;
  switch (m.type) {
    case 'Phase2a':
      return `${head} ${formatBallot(m.ballot)} slot ${m.slot} ${show(m.value)}`;
    case 'Phase2b':
      return `${head} ${formatBallot(m.ballot)} slot ${m.slot}`;
    case 'Propose':
    case 'CatchupReply':
    case 'CatchupRequest':
      return head;
    default:
      return `${head} ${formatBallot(m.ballot)}`;
  }
}

function matches(m: Message, f: MessageFilter): boolean {
  if (f.type !== undefined && !oneOf(m.type, f.type)) return false;
  if (f.from !== undefined && !oneOf(m.from, f.from)) return false;
  if (f.to !== undefined && !oneOf(m.to, f.to)) return false;
  if (f.slot !== undefined && !('slot' in m && m.slot === f.slot)) return false;
  return f.where === undefined || f.where(m);
}

function oneOf<T extends string>(value: T, wanted: T | readonly T[]): boolean {
  return typeof wanted === 'string' ? value === wanted : (wanted as readonly T[]).includes(value);
}
