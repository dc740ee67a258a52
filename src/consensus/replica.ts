import { assert, unreachable } from '../shared/assert';
import type { Random } from '../shared/random';
import { Acceptor } from './acceptor';
import { BALLOT_ROUND_MAX, BALLOT_ZERO, type Ballot, ballotEquals, compareBallots } from './ballot';
import type { ConsensusConfig } from './config';
import { Learner } from './learner';
import type {
  CatchupReply,
  Commit,
  Heartbeat,
  HeartbeatReply,
  Message,
  Nack,
  Phase1a,
  Phase1b,
  Phase2a,
  Phase2b,
  Propose,
} from './messages';
import type { PersistentState, Ready } from './ready';
import { recoverSlots } from './recovery';
import { type AcceptedEntry, type ChosenEntry, type ClientValue, type SlotValue, slotValueBytes, valueBytes, valueKey } from './value';

/** A replica's part in the protocol right now. */
export type Role = 'follower' | 'candidate' | 'leader';

/** What became of values handed to `propose`. */
export type ProposeResult =
  | { readonly status: 'queued' }
  | { readonly status: 'forwarded'; readonly leaderId: string }
  | { readonly status: 'no-leader' }
  | { readonly status: 'overloaded' };

/** A peer as this replica last saw it. */
export interface PeerStatus {
  readonly nodeId: string;
  /** Ticks since a message from it arrived; null when none ever did. */
  readonly silentTicks: number | null;
  readonly chosenWatermark: number;
}

/** A snapshot of the replica for status pages and the simulator's checks. */
export interface ReplicaStatus {
  readonly nodeId: string;
  readonly role: Role;
  readonly leaderId: string | null;
  readonly ballot: Ballot;
  readonly promised: Ballot;
  readonly chosenWatermark: number;
  readonly appliedWatermark: number;
  /** A leader decides new commands only once it has applied every slot it recovered. */
  readonly recoveredUpTo: number;
  /** Why the replica took its current role (see RoleReason): logged with each election and step-down. */
  readonly roleReason: RoleReason;
  readonly inflightSlots: number;
  readonly pendingValues: number;
  readonly peers: readonly PeerStatus[];
  readonly counters: Readonly<ReplicaCounters>;
}

/** Why a replica took its role: the protocol event that moved it. */
export type RoleReason =
  | 'started'
  | 'election-timeout'
  | 'won-election'
  | 'phase1a-higher-ballot'
  | 'behind-promiser'
  | 'nack-higher-ballot'
  | 'leader-higher-ballot'
  | 'slot-chosen-by-higher-ballot'
  | 'lost-quorum';

/** Protocol events worth watching: each one costs latency. */
export interface ReplicaCounters {
  elections: number;
  phase2aRetransmits: number;
  outsideAcceptWindow: number;
  catchupRequests: number;
  nacksSent: number;
}

interface Proposal {
  readonly value: SlotValue;
  readonly votes: Set<string>;
  sentTick: number;
}

const SELF_DELIVERY_MAX = 1_000_000;

/**
 * One Multi-Paxos replica (proposer, acceptor and learner) as a deterministic state machine.
 * Messages and ticks go in through `step`, `tick` and `propose`; `ready()` hands out, in this
 * order, state to persist, messages to send and chosen entries to apply; `advance()` reports
 * them handled. No I/O, no clock, no randomness but the injected source.
 */
export class Replica {
  private readonly acceptor: Acceptor;
  private readonly learner: Learner;
  private readonly others: readonly string[];
  private role: Role = 'follower';
  private roleReason: RoleReason = 'started';
  private ballot: Ballot = BALLOT_ZERO;
  private leaderId: string | null = null;
  private leaderBallot: Ballot = BALLOT_ZERO;
  private maxSeenRound = 0;
  private now = 0;
  private electionElapsed = 0;
  private electionTimeout: number;
  private heartbeatElapsed = 0;
  private leaderHeardTick = -Infinity;
  private leaderSinceTick = 0;
  private phase1SentTick = 0;
  private readonly promises = new Map<string, Phase1b>();
  private readonly proposals = new Map<number, Proposal>();
  private nextSlot = 1;
  private recoveredUpTo = 0;
  private pending: ClientValue[] = [];
  private readonly queuedIds = new Set<string>();
  private commitDirty = false;
  private appliedWatermark: number;
  private catchup: { peer: string; sentTick: number } | null = null;
  private readonly peers = new Map<string, { heardTick: number; chosenWatermark: number }>();
  private outbox: Message[] = [];
  private readonly counters: ReplicaCounters = { elections: 0, phase2aRetransmits: 0, outsideAcceptWindow: 0, catchupRequests: 0, nacksSent: 0 };
  private outboxFirst: Message[] = [];
  /** Values a follower forwards to the leader, sent as one Propose per Ready. */
  private forwardBuffer: ClientValue[] = [];
  private readonly selfQueue: Message[] = [];

  constructor(
    private readonly config: ConsensusConfig,
    private readonly random: Random,
    restored: PersistentState = { promised: BALLOT_ZERO, accepted: [], chosenWatermark: 0 },
  ) {
    this.acceptor = new Acceptor(restored.promised, restored.accepted);
    this.learner = new Learner(restored.chosenWatermark);
    this.appliedWatermark = restored.chosenWatermark;
    this.maxSeenRound = restored.promised.round;
    this.others = config.members.filter((m) => m !== config.nodeId);
    this.electionTimeout = this.drawElectionTimeout();
  }

  get id(): string {
    return this.config.nodeId;
  }

  /** Handles one protocol message. Messages from non-members or for another node are ignored. */
  step(message: Message): void {
    if (message.to !== this.id || !this.config.members.includes(message.from)) return;
    this.handle(message);
    this.drainSelf();
  }

  /** Advances logical time by one tick: heartbeats, elections, retransmissions. */
  tick(): void {
    this.now += 1;
    if (this.role === 'leader') this.tickLeader();
    else this.tickFollowerOrCandidate();
    if (this.catchup && this.now - this.catchup.sentTick >= this.config.retransmitTicks) this.catchup = null;
    this.drainSelf();
  }

  /**
   * Offers client values for the log. The leader queues them for the next slots; a follower
   * forwards them to the leader it knows. Queued values may still be lost if leadership
   * changes, so a client retries with the same ids until it sees them applied.
   */
  propose(values: readonly ClientValue[]): ProposeResult {
    if (this.role === 'leader') return this.enqueue(values);
    if (this.leaderId !== null && this.leaderId !== this.id) {
      if (this.forwardBuffer.length + values.length > this.config.pendingCommandsMax) return { status: 'overloaded' };
      this.forwardBuffer.push(...values);
      return { status: 'forwarded', leaderId: this.leaderId };
    }
    return { status: 'no-leader' };
  }

  /** True when `ready()` has something to hand out. */
  hasReady(): boolean {
    const leaderWork = this.role === 'leader' && (this.commitDirty || this.canAssignSlot());
    const forwards = this.forwardBuffer.length > 0;
    return leaderWork || forwards || this.outbox.length > 0 || this.outboxFirst.length > 0 || this.learner.deliverableCount > 0 || this.acceptor.hasChanges();
  }

  /**
   * Takes everything to do. The caller persists `promised`, `accepted` and `chosen` durably,
   * then sends `messages`, then applies `chosen`, then calls `advance`.
   */
  ready(): Ready {
    this.flushForwards();
    this.assignSlots();
    this.drainSelf();
    if (this.commitDirty && this.role === 'leader') this.broadcastCommit();
    this.commitDirty = false;
    const changes = this.acceptor.takeChanges();
    const chosen = this.learner.takeDelivered();
    const messages = this.outbox;
    const sendFirst = this.outboxFirst;
    this.outbox = [];
    this.outboxFirst = [];
    return { promised: changes.promised, accepted: changes.accepted, chosen, messages, sendFirst };
  }

  /** Reports chosen entries stored and applied up to `appliedSlot` (from Readies already taken). */
  advance(appliedSlot: number): void {
    if (appliedSlot === this.appliedWatermark) return;
    assert(appliedSlot > this.appliedWatermark, `applied slots go forward: ${appliedSlot} after ${this.appliedWatermark}`);
    assert(appliedSlot <= this.learner.chosenWatermark, `slot ${appliedSlot} applied before it was chosen`);
    this.appliedWatermark = appliedSlot;
    this.acceptor.prune(appliedSlot);
  }

  /** A snapshot for status pages, metrics and checks. */
  status(): ReplicaStatus {
    return {
      nodeId: this.id,
      role: this.role,
      leaderId: this.leaderId,
      ballot: this.role === 'follower' ? this.leaderBallot : this.ballot,
      promised: this.acceptor.promised,
      chosenWatermark: this.learner.chosenWatermark,
      appliedWatermark: this.appliedWatermark,
      recoveredUpTo: this.recoveredUpTo,
      roleReason: this.roleReason,
      inflightSlots: this.proposals.size,
      pendingValues: this.pending.length,
      peers: this.others.map((nodeId) => {
        const peer = this.peers.get(nodeId);
        return {
          nodeId,
          silentTicks: peer ? this.now - peer.heardTick : null,
          chosenWatermark: peer?.chosenWatermark ?? 0,
        };
      }),
      counters: { ...this.counters },
    };
  }

  private handle(m: Message): void {
    if (m.from !== this.id) this.notePeer(m.from);
    switch (m.type) {
      case 'Phase1a':
        return this.onPhase1a(m);
      case 'Phase1b':
        return this.onPhase1b(m);
      case 'Phase2a':
        return this.onPhase2a(m);
      case 'Phase2b':
        return this.onPhase2b(m);
      case 'Nack':
        return this.onNack(m);
      case 'Heartbeat':
        return this.onHeartbeat(m);
      case 'HeartbeatReply':
        return this.onHeartbeatReply(m);
      case 'Commit':
        return this.onCommit(m);
      case 'Propose':
        return this.onPropose(m);
      case 'CatchupReply':
        return this.onCatchupReply(m);
      case 'CatchupRequest':
        // Served by the driver from its stored log: chosen entries below the watermark are not kept here.
        return;
      default:
        return unreachable(m, 'message type');
    }
  }

  private onPhase1a(m: Phase1a): void {
    this.seeRound(m.ballot);
    if (this.isLoyalToLiveLeader(m.from)) return;
    const answer = this.acceptor.onPhase1a(m.ballot);
    if (!answer.ok) return this.sendNack(m.from, m.ballot, answer.promised);
    if (m.from !== this.id && compareBallots(m.ballot, this.ballot) > 0 && this.role !== 'follower') {
      this.becomeFollower(null, 'phase1a-higher-ballot');
    }
    if (m.from !== this.id) this.resetElectionTimer();
    const fromSlot = Math.max(m.fromSlot, this.learner.chosenWatermark + 1);
    // A slot known chosen is reported with its chosen value, never with our own accept there:
    // that accept may be an older ballot's value that lost.
    const allChosen = this.learner.aheadFrom(fromSlot);
    const chosenSlots = new Set(allChosen.map((e) => e.slot));
    const allAccepted = this.acceptor.acceptedFrom(fromSlot).filter((e) => !chosenSlots.has(e.slot));
    const { chosen, accepted, truncated } = withinBytes(allChosen, allAccepted, this.config.phase1bBytesMax);
    this.send({
      type: 'Phase1b',
      from: this.id,
      to: m.from,
      ballot: m.ballot,
      fromSlot: m.fromSlot,
      chosenWatermark: this.learner.chosenWatermark,
      accepted,
      chosen,
      truncated,
    });
  }

  private onPhase1b(m: Phase1b): void {
    if (this.role !== 'candidate' || !ballotEquals(m.ballot, this.ballot)) return;
    if (m.chosenWatermark > this.learner.chosenWatermark || m.truncated) {
      // Slots below the promiser's watermark are chosen but unknown here, or the promise did not
      // fit one message: learn what is chosen first (from the most advanced peer), then campaign again.
      this.becomeFollower(null, 'behind-promiser');
      this.requestCatchup(m.chosenWatermark > this.learner.chosenWatermark ? m.from : this.mostAdvancedPeer());
      return;
    }
    this.promises.set(m.from, m);
    if (this.promises.size >= this.config.phase1Quorum) this.becomeLeader();
  }

  private onPhase2a(m: Phase2a): void {
    this.seeRound(m.ballot);
    if (m.slot <= this.learner.chosenWatermark) {
      if (compareBallots(m.ballot, this.acceptor.promised) < 0) return this.sendNack(m.from, m.ballot, this.acceptor.promised);
      // Already chosen here: tell the leader our watermark so it can catch up instead of waiting.
      this.send({ type: 'HeartbeatReply', from: this.id, to: m.from, ballot: m.ballot, chosenWatermark: this.learner.chosenWatermark });
      return;
    }
    if (m.slot > this.learner.chosenWatermark + this.config.acceptWindowSlots) {
      this.counters.outsideAcceptWindow += 1;
      this.learnWatermark(m.ballot, m.chosenWatermark, m.from);
      return;
    }
    const answer = this.acceptor.onPhase2a(m.ballot, m.slot, m.value);
    if (!answer.ok) return this.sendNack(m.from, m.ballot, answer.promised);
    this.followLeader(m.from, m.ballot);
    this.send({ type: 'Phase2b', from: this.id, to: m.from, ballot: m.ballot, slot: m.slot });
    this.learnWatermark(m.ballot, m.chosenWatermark, m.from);
  }

  private onPhase2b(m: Phase2b): void {
    if (this.role !== 'leader' || !ballotEquals(m.ballot, this.ballot)) return;
    const proposal = this.proposals.get(m.slot);
    if (!proposal) return;
    proposal.votes.add(m.from);
    if (proposal.votes.size < this.config.phase2Quorum) return;
    this.proposals.delete(m.slot);
    this.learnChosen(m.slot, proposal.value);
  }

  private onNack(m: Nack): void {
    this.seeRound(m.promised);
    if (this.role === 'follower' || !ballotEquals(m.ballot, this.ballot)) return;
    if (compareBallots(m.promised, this.ballot) > 0) this.becomeFollower(null, 'nack-higher-ballot');
  }

  private onHeartbeat(m: Heartbeat): void {
    if (!this.acceptLeaderMessage(m)) return;
    this.send({ type: 'HeartbeatReply', from: this.id, to: m.from, ballot: m.ballot, chosenWatermark: this.learner.chosenWatermark });
  }

  private onCommit(m: Commit): void {
    this.acceptLeaderMessage(m);
  }

  private onHeartbeatReply(m: HeartbeatReply): void {
    const peer = this.peers.get(m.from);
    if (peer) peer.chosenWatermark = Math.max(peer.chosenWatermark, m.chosenWatermark);
    if (m.chosenWatermark > this.learner.chosenWatermark) this.requestCatchup(m.from);
  }

  private onPropose(m: Propose): void {
    // Only the leader queues; anything else drops, and the client's retry finds the leader.
    if (this.role === 'leader') this.enqueue(m.values);
  }

  private onCatchupReply(m: CatchupReply): void {
    const before = this.learner.chosenWatermark;
    for (const entry of m.entries) this.learnChosen(entry.slot, entry.value);
    const peer = this.peers.get(m.from);
    if (peer) peer.chosenWatermark = Math.max(peer.chosenWatermark, m.chosenWatermark);
    // Only a reply that moved the watermark asks for the next batch: a duplicated or late reply
    // must not start a second chain of requests.
    if (this.learner.chosenWatermark === before) return;
    if (this.catchup?.peer === m.from) this.catchup = null;
    if (m.chosenWatermark > this.learner.chosenWatermark) this.requestCatchup(m.from);
  }

  /** A heartbeat or commit from a leader at least as high as our promise; else a Nack. */
  private acceptLeaderMessage(m: Heartbeat | Commit): boolean {
    this.seeRound(m.ballot);
    if (compareBallots(m.ballot, this.acceptor.promised) < 0) {
      this.sendNack(m.from, m.ballot, this.acceptor.promised);
      return false;
    }
    this.followLeader(m.from, m.ballot);
    this.learnWatermark(m.ballot, m.chosenWatermark, m.from);
    return true;
  }

  private followLeader(leaderId: string, ballot: Ballot): void {
    if (leaderId === this.id) return;
    if (this.role !== 'follower' && compareBallots(ballot, this.ballot) > 0) this.becomeFollower(leaderId, 'leader-higher-ballot');
    if (this.role !== 'follower') return;
    if (compareBallots(ballot, this.leaderBallot) >= 0) {
      this.leaderId = leaderId;
      this.leaderBallot = ballot;
      this.leaderHeardTick = this.now;
      this.resetElectionTimer();
    }
  }

  /**
   * The leader of `ballot` says every slot up to `watermark` is chosen. A slot we accepted in
   * that same ballot holds the leader's one value for it, hence the chosen value; any other gap
   * is filled by catch-up.
   */
  private learnWatermark(ballot: Ballot, watermark: number, from: string): void {
    for (let slot = this.learner.chosenWatermark + 1; slot <= watermark; slot++) {
      if (this.learner.isChosen(slot)) continue;
      const accepted = this.acceptor.acceptedAt(slot);
      if (!accepted || !ballotEquals(accepted.ballot, ballot)) {
        this.requestCatchup(from);
        return;
      }
      this.learnChosen(slot, accepted.value);
    }
  }

  private learnChosen(slot: number, value: SlotValue): void {
    const before = this.learner.chosenWatermark;
    const superseded = this.role === 'leader' && this.isSupersededBy(slot, value);
    this.learner.learn(slot, value);
    if (superseded) {
      // A higher ballot chose this slot. Announcing our watermark now would let a follower that
      // accepted our own value for it, in our ballot, take that value as chosen.
      this.becomeFollower(null, 'slot-chosen-by-higher-ballot');
      return;
    }
    if (this.role !== 'leader') return;
    this.proposals.delete(slot);
    if (this.learner.chosenWatermark > before) this.commitDirty = true;
  }

  /**
   * True when `slot` chosen with `value` cannot have come from this leader's ballot: the leader
   * proposed something else there, or never got that far. Only a higher ballot chooses such a slot.
   */
  private isSupersededBy(slot: number, value: SlotValue): boolean {
    if (this.learner.isChosen(slot)) return false;
    const mine = this.proposals.get(slot);
    if (mine) return valueKey(mine.value) !== valueKey(value);
    return slot >= this.nextSlot;
  }

  /** The peer with the highest chosen watermark this replica heard of. */
  private mostAdvancedPeer(): string {
    let best = this.others[0] ?? this.id;
    let bestWatermark = -1;
    for (const [nodeId, peer] of this.peers) {
      if (peer.chosenWatermark > bestWatermark) {
        best = nodeId;
        bestWatermark = peer.chosenWatermark;
      }
    }
    return best;
  }

  private requestCatchup(peer: string): void {
    if (peer === this.id || this.catchup !== null) return;
    this.catchup = { peer, sentTick: this.now };
    this.counters.catchupRequests += 1;
    this.send({
      type: 'CatchupRequest',
      from: this.id,
      to: peer,
      fromSlot: this.learner.chosenWatermark + 1,
      maxSlots: this.config.catchupBatchMax,
    });
  }

  private tickLeader(): void {
    this.heartbeatElapsed += 1;
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      for (const to of this.others) {
        this.send({ type: 'Heartbeat', from: this.id, to, ballot: this.ballot, chosenWatermark: this.learner.chosenWatermark });
      }
    }
    for (const [slot, proposal] of this.proposals) {
      if (this.now - proposal.sentTick < this.config.retransmitTicks) continue;
      proposal.sentTick = this.now;
      this.counters.phase2aRetransmits += 1;
      for (const to of this.config.members) if (!proposal.votes.has(to)) this.sendPhase2a(to, slot, proposal.value);
    }
    if (!this.hasLiveQuorum()) this.becomeFollower(null, 'lost-quorum');
  }

  private tickFollowerOrCandidate(): void {
    this.electionElapsed += 1;
    if (this.electionElapsed >= this.electionTimeout) return this.campaign();
    if (this.role === 'candidate' && this.now - this.phase1SentTick >= this.config.retransmitTicks) {
      this.sendPhase1a(this.config.members.filter((m) => !this.promises.has(m)));
    }
  }

  /** A leader that has heard from too few peers for an election timeout steps down. */
  private hasLiveQuorum(): boolean {
    if (this.now - this.leaderSinceTick < this.config.electionTicksMax) return true;
    let live = 1;
    for (const peer of this.peers.values()) if (this.now - peer.heardTick < this.config.electionTicksMax) live += 1;
    return live >= Math.max(this.config.phase1Quorum, this.config.phase2Quorum);
  }

  private campaign(): void {
    const round = Math.max(this.maxSeenRound, this.acceptor.promised.round, this.ballot.round) + 1;
    // Rounds past the limit only come from a misbehaving member; refusing to campaign keeps the
    // node safe and up (it still accepts and learns) rather than storing a ballot it cannot.
    if (round > BALLOT_ROUND_MAX) return this.resetElectionTimer();
    this.counters.elections += 1;
    this.role = 'candidate';
    this.roleReason = 'election-timeout';
    this.ballot = { round, nodeId: this.id };
    this.maxSeenRound = round;
    this.leaderId = null;
    this.promises.clear();
    this.proposals.clear();
    this.resetElectionTimer();
    this.sendPhase1a(this.config.members);
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.roleReason = 'won-election';
    this.leaderId = this.id;
    this.leaderBallot = this.ballot;
    this.leaderSinceTick = this.now;
    this.heartbeatElapsed = this.config.heartbeatTicks;
    const watermark = this.learner.chosenWatermark;
    const localAhead = this.learner.aheadFrom(watermark + 1);
    const localMax = localAhead.length > 0 ? localAhead[localAhead.length - 1].slot : 0;
    const slots = recoverSlots(watermark, this.promises.values(), (s) => this.learner.chosenAhead(s), localMax);
    this.promises.clear();
    for (const { slot, value, chosen } of slots) {
      if (chosen) this.learner.learn(slot, value);
      this.proposals.set(slot, { value, votes: new Set(), sentTick: this.now });
      for (const to of this.config.members) this.sendPhase2a(to, slot, value);
    }
    this.nextSlot = watermark + slots.length + 1;
    this.recoveredUpTo = this.nextSlot - 1;
    this.commitDirty = true;
  }

  private becomeFollower(leaderId: string | null, reason: RoleReason): void {
    this.role = 'follower';
    this.roleReason = reason;
    this.leaderId = leaderId;
    this.promises.clear();
    this.proposals.clear();
    this.pending = [];
    this.queuedIds.clear();
    this.resetElectionTimer();
  }

  private enqueue(values: readonly ClientValue[]): ProposeResult {
    if (this.pending.length + values.length > this.config.pendingCommandsMax) return { status: 'overloaded' };
    for (const value of values) {
      if (this.queuedIds.has(value.id)) continue;
      this.queuedIds.add(value.id);
      this.pending.push(value);
    }
    return { status: 'queued' };
  }

  private canAssignSlot(): boolean {
    return this.pending.length > 0 && this.nextSlot - 1 - this.learner.chosenWatermark < this.config.inflightSlotsMax;
  }

  /** Cuts queued values into batches, one per free slot in the pipeline. */
  private assignSlots(): void {
    if (this.role !== 'leader') return;
    while (this.canAssignSlot()) {
      const batch = takeBatch(this.pending, this.config.batchCommandsMax, this.config.batchBytesMax);
      this.pending = this.pending.slice(batch.length);
      for (const v of batch) this.queuedIds.delete(v.id);
      const slot = this.nextSlot++;
      const value: SlotValue = { kind: 'batch', values: batch };
      this.proposals.set(slot, { value, votes: new Set(), sentTick: this.now });
      for (const to of this.config.members) this.sendPhase2a(to, slot, value);
    }
  }

  /** Sends the buffered forwards in batches; a follower without a leader drops them (clients retry). */
  private flushForwards(): void {
    const values = this.forwardBuffer;
    this.forwardBuffer = [];
    if (this.role === 'leader') {
      this.enqueue(values);
      return;
    }
    if (this.leaderId === null || this.leaderId === this.id) return;
    for (let rest = values; rest.length > 0; ) {
      const batch = takeBatch(rest, this.config.batchCommandsMax, this.config.batchBytesMax);
      rest = rest.slice(batch.length);
      this.send({ type: 'Propose', from: this.id, to: this.leaderId, values: batch });
    }
  }

  private broadcastCommit(): void {
    for (const to of this.others) {
      this.send({ type: 'Commit', from: this.id, to, ballot: this.ballot, chosenWatermark: this.learner.chosenWatermark });
    }
  }

  private sendPhase1a(to: readonly string[]): void {
    this.phase1SentTick = this.now;
    const fromSlot = this.learner.chosenWatermark + 1;
    for (const t of to) this.send({ type: 'Phase1a', from: this.id, to: t, ballot: this.ballot, fromSlot });
  }

  private sendPhase2a(to: string, slot: number, value: SlotValue): void {
    this.send({ type: 'Phase2a', from: this.id, to, ballot: this.ballot, slot, value, chosenWatermark: this.learner.chosenWatermark });
  }

  private sendNack(to: string, ballot: Ballot, promised: Ballot): void {
    this.counters.nacksSent += 1;
    this.send({ type: 'Nack', from: this.id, to, ballot, promised });
  }

  private send(message: Message): void {
    if (message.to === this.id) this.selfQueue.push(message);
    else if (this.maySendFirst(message)) this.outboxFirst.push(message);
    else this.outbox.push(message);
  }

  /**
   * Whether a message may leave before this Ready's persist. A Commit qualifies only when a slot
   * needs a peer's vote: then every slot it announces was chosen by votes stepped after the
   * Ready holding our own accept was taken, hence after that accept was persisted.
   */
  private maySendFirst(message: Message): boolean {
    switch (message.type) {
      case 'Phase2a':
      case 'Propose':
      case 'CatchupRequest':
        return true;
      case 'Commit':
        return this.config.phase2Quorum > 1;
      default:
        return false;
    }
  }

  /** Messages to self are handled at once, in order, without touching the network. */
  private drainSelf(): void {
    for (let handled = 0; this.selfQueue.length > 0; handled++) {
      assert(handled < SELF_DELIVERY_MAX, 'self-delivery does not terminate');
      this.handle(this.selfQueue.shift() as Message);
    }
  }

  private seeRound(ballot: Ballot): void {
    this.maxSeenRound = Math.max(this.maxSeenRound, ballot.round);
  }

  private notePeer(nodeId: string): void {
    const peer = this.peers.get(nodeId);
    if (peer) peer.heardTick = this.now;
    else this.peers.set(nodeId, { heardTick: this.now, chosenWatermark: 0 });
  }

  /** A follower that heard its leader recently ignores other candidates, so a rejoining node cannot depose a healthy leader. */
  private isLoyalToLiveLeader(candidate: string): boolean {
    return (
      this.role === 'follower' &&
      this.leaderId !== null &&
      this.leaderId !== candidate &&
      candidate !== this.id &&
      this.now - this.leaderHeardTick < this.config.electionTicksMin
    );
  }

  private resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.electionTimeout = this.drawElectionTimeout();
  }

  private drawElectionTimeout(): number {
    const { electionTicksMin: min, electionTicksMax: max } = this.config;
    return min + this.random.int(max - min);
  }
}

/**
 * The entries of a promise, lowest slots first, within `bytesMax`. Truncation only ever drops
 * the highest slots, so the candidate's catch-up moves past what was left out.
 */
function withinBytes(
  chosen: readonly ChosenEntry[],
  accepted: readonly AcceptedEntry[],
  bytesMax: number,
): { chosen: ChosenEntry[]; accepted: AcceptedEntry[]; truncated: boolean } {
  const all = [...chosen.map((e) => ({ e, isChosen: true })), ...accepted.map((e) => ({ e, isChosen: false }))].sort(
    (a, b) => a.e.slot - b.e.slot,
  );
  const out = { chosen: [] as ChosenEntry[], accepted: [] as AcceptedEntry[], truncated: false };
  let bytes = 0;
  for (const { e, isChosen } of all) {
    bytes += slotValueBytes(e.value) + 64;
    if (bytes > bytesMax) return { ...out, truncated: true };
    if (isChosen) out.chosen.push(e);
    else out.accepted.push(e as AcceptedEntry);
  }
  return out;
}

/** The longest prefix of `pending` within both limits; at least one value so a large one still goes. */
function takeBatch(pending: readonly ClientValue[], countMax: number, bytesMax: number): ClientValue[] {
  const batch: ClientValue[] = [];
  let bytes = 0;
  for (const value of pending) {
    const size = valueBytes(value);
    if (batch.length >= countMax || (batch.length > 0 && bytes + size > bytesMax)) break;
    batch.push(value);
    bytes += size;
  }
  return batch;
}
