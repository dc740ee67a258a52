import { assert, unreachable } from '../shared/assert';
import type { Random } from '../shared/random';
import { Acceptor } from './acceptor';
import { BALLOT_ROUND_MAX, BALLOT_ZERO, type Ballot, ballotEquals, compareBallots } from './ballot';
import type { ConsensusConfig } from './config';
import { Learner } from './learner';
import {
  type ChangeOutcome,
  type ConfigEpoch,
  ConfigHistory,
  type Membership,
  type MembershipChange,
  foundingMembership,
  refuseChange,
} from './membership';
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
  TimeoutNow,
} from './messages';
import type { PersistentState, Ready } from './ready';
import { recoverSlots } from './recovery';
import { type AcceptedEntry, type ChosenEntry, type ClientValue, NOOP, type SlotValue, slotValueBytes, valueBytes, valueKey } from './value';

/** A replica's part in the protocol right now. */
export type Role = 'follower' | 'candidate' | 'leader';

/** What became of values handed to `propose`. */
export type ProposeResult =
  | { readonly status: 'queued' }
  | { readonly status: 'forwarded'; readonly leaderId: string }
  | { readonly status: 'no-leader' }
  | { readonly status: 'overloaded' };

/** What became of a membership change handed to `proposeChange`. */
export type ChangeResult =
  | { readonly status: 'queued'; readonly change: MembershipChange }
  | { readonly status: 'not-leader'; readonly leaderId: string | null }
  | { readonly status: 'refused'; readonly reason: string };

/** A membership change as an operator asks for it; the leader fills in the incarnation it knows. */
export type ChangeRequest =
  | { readonly id: string; readonly op: 'add-learner'; readonly nodeId: string; readonly incarnation?: string }
  | { readonly id: string; readonly op: 'promote'; readonly nodeId: string }
  | { readonly id: string; readonly op: 'remove'; readonly nodeId: string };

/** Why a replica does not vote: not in the configuration, only a learner, or its storage is not the incarnation the configuration binds. */
export type NotVotingReason = 'not-a-member' | 'learner' | 'incarnation-mismatch';

/** A peer as this replica last saw it. */
export interface PeerStatus {
  readonly nodeId: string;
  /** Ticks since a message from it arrived; null when none ever did. */
  readonly silentTicks: number | null;
  readonly chosenWatermark: number;
  /** The incarnation its last message carried, if any did. */
  readonly incarnation: string | null;
  readonly role: 'voter' | 'learner';
  /** Within the bounded distance of this replica's chosen watermark. */
  readonly caughtUp: boolean;
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
  readonly incarnation: string;
  /** Null when this replica votes in the configuration of its next slot. */
  readonly notVotingReason: NotVotingReason | null;
  /** The configuration of the next slot to decide, and the newest one decided. */
  readonly membership: Membership;
  readonly latestMembership: Membership;
  readonly configEpochs: readonly ConfigEpoch[];
  /** The membership changes chosen lately, oldest first. */
  readonly configChanges: readonly ChangeOutcome[];
  /** A change this leader queued or proposed that is not chosen yet. */
  readonly changeInFlight: string | null;
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
  | 'lost-quorum'
  | 'handed-over'
  | 'asked-to-campaign';

/** Protocol events worth watching: each one costs latency. */
export interface ReplicaCounters {
  elections: number;
  phase2aRetransmits: number;
  outsideAcceptWindow: number;
  catchupRequests: number;
  nacksSent: number;
  /** Votes and proposals ignored because their sender (or this replica) does not vote in the slot's configuration. */
  notVoting: number;
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
  private readonly history: ConfigHistory;
  private readonly incarnation: string;
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
  private transferCampaign = false;
  private readonly promises = new Map<string, Phase1b>();
  private readonly proposals = new Map<number, Proposal>();
  private nextSlot = 1;
  private recoveredUpTo = 0;
  private pending: ClientValue[] = [];
  private readonly queuedIds = new Set<string>();
  private commitDirty = false;
  private appliedWatermark: number;
  private catchup: { peer: string; sentTick: number } | null = null;
  private readonly peers = new Map<string, { heardTick: number; chosenWatermark: number; incarnation: string | null }>();
  private outbox: Message[] = [];
  private readonly counters: ReplicaCounters = { elections: 0, phase2aRetransmits: 0, outsideAcceptWindow: 0, catchupRequests: 0, nacksSent: 0, notVoting: 0 };
  private outboxFirst: Message[] = [];
  /** Values a follower forwards to the leader, sent as one Propose per Ready. */
  private forwardBuffer: ClientValue[] = [];
  private readonly selfQueue: Message[] = [];
  // The leader's membership work.
  /** Who promised this leader's ballot, with the incarnation each promised from. */
  private readonly leaderPromised = new Map<string, string>();
  /** A Phase 1 this leader runs in a configuration it reached after its election. */
  private extraPhase1: { fromSlot: number; sentTick: number } | null = null;
  /** Values that Phase 1 reports oblige this leader to propose, by slot (a chosen report wins). */
  private readonly recovered = new Map<number, { ballot: Ballot | null; value: SlotValue }>();
  private pendingChanges: MembershipChange[] = [];
  private changeInFlight: string | null = null;
  /** The leader proposes no-ops up to this slot, so a decided configuration takes effect without waiting for traffic. */
  private fillUpTo = 0;
  /** Bindings this leader queued or proposed, not chosen yet (they do not hold up operator changes). */
  private readonly bindsInFlight = new Set<string>();
  /** The first incarnation heard from each node in this replica's life. */
  private readonly firstHeard = new Map<string, string>();
  /** A peer spoke from the founding incarnation: a release that cannot read membership changes. */
  private heardFounding = false;

  constructor(
    private readonly config: ConsensusConfig,
    private readonly random: Random,
    restored: PersistentState = { promised: BALLOT_ZERO, accepted: [], chosenWatermark: 0 },
  ) {
    this.acceptor = new Acceptor(restored.promised, restored.accepted);
    this.incarnation = restored.incarnation ?? FOUNDING_INCARNATION;
    this.history = new ConfigHistory(foundingMembership(config.members, config.phase1Quorum, config.phase2Quorum), config.acceptWindowSlots);
    for (const { slot, change } of restored.configChanges ?? []) if (slot <= restored.chosenWatermark) this.history.record(slot, change);
    this.learner = new Learner(restored.chosenWatermark, (entry) => this.onContiguous(entry));
    this.appliedWatermark = restored.chosenWatermark;
    this.maxSeenRound = restored.promised.round;
    this.electionTimeout = this.drawElectionTimeout();
  }

  get id(): string {
    return this.config.nodeId;
  }

  /** Handles one protocol message. Messages for another node, or from a node the configuration does not let speak, are ignored. */
  step(message: Message): void {
    if (message.to !== this.id || !this.admits(message)) return;
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

  /**
   * Asks the leader to decide a membership change through the log. One change is in progress at
   * a time; a learner is promoted only once it is caught up; the incarnation of a node the
   * leader has heard from is filled in. The change takes effect α slots after its own slot
   * (`status().configChanges` tells when).
   */
  proposeChange(request: ChangeRequest): ChangeResult {
    if (this.role !== 'leader') return { status: 'not-leader', leaderId: this.leaderId };
    if (this.history.hasChange(request.id) || this.changeInFlight === request.id) {
      const known = this.history.changes().find((c) => c.change.id === request.id)?.change ?? this.pendingChanges.find((c) => c.id === request.id);
      return known ? { status: 'queued', change: known } : { status: 'refused', reason: `change ${request.id} was decided already` };
    }
    if (this.changeInFlight !== null) return { status: 'refused', reason: `change ${this.changeInFlight} is still in progress` };
    const heard = this.peers.get(request.nodeId)?.incarnation ?? undefined;
    const latest = this.history.latest;
    let change: MembershipChange;
    switch (request.op) {
      case 'add-learner':
        change = { id: request.id, op: 'add-learner', nodeId: request.nodeId, incarnation: request.incarnation ?? heard };
        break;
      case 'promote': {
        const incarnation = latest.incarnations[request.nodeId] ?? heard;
        if (incarnation === undefined) return { status: 'refused', reason: `${request.nodeId} has not been heard from yet` };
        if (!this.isCaughtUp(request.nodeId)) return { status: 'refused', reason: `${request.nodeId} is not caught up yet` };
        change = { id: request.id, op: 'promote', nodeId: request.nodeId, incarnation };
        break;
      }
      case 'remove':
        change = { id: request.id, op: 'remove', nodeId: request.nodeId };
        break;
    }
    const refused = refuseChange(latest, change);
    if (refused !== null) return { status: 'refused', reason: refused };
    this.pendingChanges.push(change);
    this.changeInFlight = change.id;
    return { status: 'queued', change };
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
    const membership = this.history.at(this.learner.chosenWatermark + 1);
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
      peers: this.membersToReach().map((nodeId) => {
        const peer = this.peers.get(nodeId);
        return {
          nodeId,
          silentTicks: peer ? this.now - peer.heardTick : null,
          chosenWatermark: peer?.chosenWatermark ?? 0,
          incarnation: peer?.incarnation ?? null,
          role: this.history.latest.voters.includes(nodeId) ? 'voter' : 'learner',
          caughtUp: this.isCaughtUp(nodeId),
        };
      }),
      counters: { ...this.counters },
      incarnation: this.incarnation,
      notVotingReason: this.notVotingReason(),
      membership,
      latestMembership: this.history.latest,
      configEpochs: this.history.list(),
      configChanges: this.history.changes(),
      changeInFlight: this.changeInFlight,
    };
  }

  /**
   * Votes, proposals and hand-overs are taken only from nodes that vote in a configuration this
   * replica knows for its coming slots, forwarded values only from members; heartbeats, commits
   * and catch-up from any node of the cluster.
   */
  private admits(m: Message): boolean {
    if (m.from === this.id) return true;
    switch (m.type) {
      case 'Phase1a':
      case 'Phase1b':
      case 'Phase2a':
      case 'Phase2b':
      case 'Nack':
      case 'TimeoutNow':
        if (this.knownConfigs().some((c) => c.voters.includes(m.from))) return true;
        this.counters.notVoting += 1;
        return false;
      case 'Propose':
        return this.membersToReach().includes(m.from);
      default:
        // Heartbeats, commits and catch-up only teach what is chosen, which is true whoever says
        // it: a replica whose history is behind (new, or back from a lost disk) learns from them.
        return true;
    }
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
      case 'TimeoutNow':
        return this.onTimeoutNow(m);
      case 'CatchupRequest':
        // Served by the driver from its stored log: chosen entries below the watermark are not kept here.
        return;
      default:
        return unreachable(m, 'message type');
    }
  }

  private onPhase1a(m: Phase1a): void {
    this.seeRound(m.ballot);
    if (!this.knownConfigs().some((c) => this.history.counts(c, this.id, this.incarnation))) {
      // Perhaps a configuration this replica has not learned yet makes it a voter: learn from the candidate.
      this.counters.notVoting += 1;
      this.requestCatchup(m.from);
      return;
    }
    if (!m.transfer && this.isLoyalToLiveLeader(m.from)) return;
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
      incarnation: this.incarnation,
      fromSlot: m.fromSlot,
      chosenWatermark: this.learner.chosenWatermark,
      accepted,
      chosen,
      truncated,
    });
  }

  private onPhase1b(m: Phase1b): void {
    this.notePeerIncarnation(m.from, m.incarnation);
    if (!ballotEquals(m.ballot, this.ballot)) return;
    if (this.role === 'leader') return this.onLatePhase1b(m);
    if (this.role !== 'candidate') return;
    if (m.chosenWatermark > this.learner.chosenWatermark || m.truncated) {
      // Slots below the promiser's watermark are chosen but unknown here, or the promise did not
      // fit one message: learn what is chosen first (from the most advanced peer), then campaign again.
      this.becomeFollower(null, 'behind-promiser');
      this.requestCatchup(m.chosenWatermark > this.learner.chosenWatermark ? m.from : this.mostAdvancedPeer());
      return;
    }
    this.promises.set(m.from, m);
    if (this.phase1Complete()) this.becomeLeader();
  }

  /** A candidate needs a promise quorum of every configuration that governs a slot it may have to recover. */
  private phase1Complete(): boolean {
    return this.knownConfigs().every((c) => this.promiseCount(c, [...this.promises.values()].map((p) => [p.from, p.incarnation])) >= c.phase1Quorum);
  }

  private promiseCount(c: Membership, promisers: Iterable<readonly [string, string]>): number {
    let count = 0;
    for (const [nodeId, incarnation] of promisers) if (this.votes(c, nodeId, incarnation)) count += 1;
    return count;
  }

  /**
   * A promise for the Phase 1 a leader runs when it reaches a configuration it had no quorum of:
   * what the promiser reports for the slots from there on binds this leader, as at an election.
   */
  private onLatePhase1b(m: Phase1b): void {
    const phase = this.extraPhase1;
    if (phase === null || m.fromSlot !== phase.fromSlot) return;
    if (m.chosenWatermark >= phase.fromSlot || m.truncated) {
      this.becomeFollower(null, 'behind-promiser');
      this.requestCatchup(m.from);
      return;
    }
    this.leaderPromised.set(m.from, m.incarnation);
    for (const entry of m.chosen) if (entry.slot >= phase.fromSlot) this.recovered.set(entry.slot, { ballot: null, value: entry.value });
    for (const entry of m.accepted) {
      if (entry.slot < phase.fromSlot) continue;
      const known = this.recovered.get(entry.slot);
      if (known === undefined || (known.ballot !== null && compareBallots(entry.ballot, known.ballot) > 0)) {
        this.recovered.set(entry.slot, { ballot: entry.ballot, value: entry.value });
      }
    }
    const c = this.history.at(phase.fromSlot);
    if (this.promiseCount(c, this.leaderPromised) < c.phase1Quorum) return;
    this.extraPhase1 = null;
    const last = Math.max(phase.fromSlot - 1, ...this.recovered.keys());
    if (last >= this.learner.chosenWatermark + this.config.acceptWindowSlots) {
      // Reports reach past the slots whose configuration is known here: learn first.
      this.becomeFollower(null, 'behind-promiser');
      this.requestCatchup(this.mostAdvancedPeer());
      return;
    }
    for (let slot = phase.fromSlot; slot <= last; slot++) if (!this.recovered.has(slot)) this.recovered.set(slot, { ballot: null, value: NOOP });
  }

  private onPhase2a(m: Phase2a): void {
    this.seeRound(m.ballot);
    if (m.slot <= this.learner.chosenWatermark) {
      if (compareBallots(m.ballot, this.acceptor.promised) < 0) return this.sendNack(m.from, m.ballot, this.acceptor.promised);
      // Already chosen here: tell the leader our watermark so it can catch up instead of waiting.
      this.sendHeartbeatReply(m.from, m.ballot);
      return;
    }
    if (m.slot > this.learner.chosenWatermark + this.config.acceptWindowSlots) {
      this.counters.outsideAcceptWindow += 1;
      this.learnWatermark(m.ballot, m.chosenWatermark, m.from);
      return;
    }
    // Within the window, the slot's configuration is known here: only its voters propose and accept.
    const c = this.history.at(m.slot);
    if (!c.voters.includes(m.from) || !this.history.counts(c, this.id, this.incarnation)) {
      this.counters.notVoting += 1;
      this.learnWatermark(m.ballot, m.chosenWatermark, m.from);
      return;
    }
    const answer = this.acceptor.onPhase2a(m.ballot, m.slot, m.value);
    if (!answer.ok) return this.sendNack(m.from, m.ballot, answer.promised);
    this.followLeader(m.from, m.ballot);
    this.send({ type: 'Phase2b', from: this.id, to: m.from, ballot: m.ballot, slot: m.slot, incarnation: this.incarnation });
    this.learnWatermark(m.ballot, m.chosenWatermark, m.from);
  }

  private onPhase2b(m: Phase2b): void {
    this.notePeerIncarnation(m.from, m.incarnation);
    if (this.role !== 'leader' || !ballotEquals(m.ballot, this.ballot)) return;
    const proposal = this.proposals.get(m.slot);
    if (!proposal) return;
    const c = this.history.at(m.slot);
    if (!this.votes(c, m.from, m.incarnation)) {
      this.counters.notVoting += 1;
      return;
    }
    proposal.votes.add(m.from);
    if (proposal.votes.size < c.phase2Quorum) return;
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
    this.sendHeartbeatReply(m.from, m.ballot);
  }

  private sendHeartbeatReply(to: string, ballot: Ballot): void {
    this.send({ type: 'HeartbeatReply', from: this.id, to, ballot, chosenWatermark: this.learner.chosenWatermark, incarnation: this.incarnation });
  }

  private onCommit(m: Commit): void {
    this.acceptLeaderMessage(m);
  }

  private onHeartbeatReply(m: HeartbeatReply): void {
    this.notePeerIncarnation(m.from, m.incarnation);
    const peer = this.peers.get(m.from);
    if (peer) peer.chosenWatermark = Math.max(peer.chosenWatermark, m.chosenWatermark);
    if (m.chosenWatermark > this.learner.chosenWatermark) this.requestCatchup(m.from);
  }

  private onPropose(m: Propose): void {
    // Only the leader queues; anything else drops, and the client's retry finds the leader.
    if (this.role === 'leader') this.enqueue(m.values);
  }

  private onTimeoutNow(m: TimeoutNow): void {
    this.seeRound(m.ballot);
    if (this.role === 'leader' || !this.canCampaign()) return;
    this.campaign(true);
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
    // A replica that does not vote only learns: whatever it promised before (under an
    // incarnation no longer bound, say) must not keep it from following the leader there is.
    if (compareBallots(m.ballot, this.acceptor.promised) < 0 && this.notVotingReason() === null) {
      this.sendNack(m.from, m.ballot, this.acceptor.promised);
      // What it says is chosen is still true: a replica that is behind (its history too, perhaps)
      // catches up rather than keep campaigning on a configuration it no longer belongs to.
      if (m.chosenWatermark > this.learner.chosenWatermark) this.requestCatchup(m.from);
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

  /** Each slot as it becomes contiguous: a membership change takes its place in the history. */
  private onContiguous(entry: ChosenEntry): void {
    if (entry.value.kind !== 'config') return;
    const outcome = this.history.record(entry.slot, entry.value.change);
    if (this.changeInFlight === entry.value.change.id) this.changeInFlight = null;
    this.bindsInFlight.delete(entry.value.change.id);
    if (this.role === 'leader' && outcome.effectiveSlot !== null) this.fillUpTo = Math.max(this.fillUpTo, outcome.effectiveSlot - 1);
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
    let best = this.membersToReach()[0] ?? this.id;
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
      for (const to of this.membersToReach()) {
        this.send({ type: 'Heartbeat', from: this.id, to, ballot: this.ballot, chosenWatermark: this.learner.chosenWatermark });
      }
    }
    for (const [slot, proposal] of this.proposals) {
      if (this.now - proposal.sentTick < this.config.retransmitTicks) continue;
      proposal.sentTick = this.now;
      this.counters.phase2aRetransmits += 1;
      for (const to of this.history.at(slot).voters) if (!proposal.votes.has(to)) this.sendPhase2a(to, slot, proposal.value);
    }
    const phase = this.extraPhase1;
    if (phase !== null && this.now - phase.sentTick >= this.config.retransmitTicks) {
      phase.sentTick = this.now;
      this.sendPhase1a(this.unpromised(this.history.at(phase.fromSlot)), phase.fromSlot, false);
    }
    // A leader that votes neither in its next slot's configuration nor in any slot it still
    // drives hands over (those slots' voters take Phase2a only from their own voters: the next
    // leader recovers them).
    const votesIn = (slot: number) => this.history.counts(this.history.at(slot), this.id, this.incarnation);
    if (!votesIn(this.nextSlot) && [...this.proposals.keys()].every((slot) => !votesIn(slot))) return this.handOver();
    if (!this.hasLiveQuorum()) this.becomeFollower(null, 'lost-quorum');
  }

  private tickFollowerOrCandidate(): void {
    this.electionElapsed += 1;
    if (this.electionElapsed >= this.electionTimeout) {
      if (this.canCampaign()) return this.campaign(false);
      return this.resetElectionTimer();
    }
    if (this.role === 'candidate' && this.now - this.phase1SentTick >= this.config.retransmitTicks) {
      this.sendPhase1a(this.votersToAsk().filter((m) => !this.promises.has(m)), this.learner.chosenWatermark + 1, this.transferCampaign);
    }
  }

  /** A leader that has heard from too few voters for an election timeout steps down. */
  private hasLiveQuorum(): boolean {
    if (this.now - this.leaderSinceTick < this.config.electionTicksMax) return true;
    const c = this.history.at(this.nextSlot);
    let live = c.voters.includes(this.id) ? 1 : 0;
    for (const voter of c.voters) {
      const peer = voter === this.id ? undefined : this.peers.get(voter);
      if (peer && this.now - peer.heardTick < this.config.electionTicksMax) live += 1;
    }
    return live >= Math.max(c.phase1Quorum, c.phase2Quorum);
  }

  private campaign(transfer: boolean): void {
    const round = Math.max(this.maxSeenRound, this.acceptor.promised.round, this.ballot.round) + 1;
    // Rounds past the limit only come from a misbehaving member; refusing to campaign keeps the
    // node safe and up (it still accepts and learns) rather than storing a ballot it cannot.
    if (round > BALLOT_ROUND_MAX) return this.resetElectionTimer();
    this.counters.elections += 1;
    this.role = 'candidate';
    this.roleReason = transfer ? 'asked-to-campaign' : 'election-timeout';
    this.transferCampaign = transfer;
    this.ballot = { round, nodeId: this.id };
    this.maxSeenRound = round;
    this.leaderId = null;
    this.promises.clear();
    this.proposals.clear();
    this.resetElectionTimer();
    this.sendPhase1a(this.votersToAsk(), this.learner.chosenWatermark + 1, transfer);
  }

  private becomeLeader(): void {
    const watermark = this.learner.chosenWatermark;
    const localAhead = this.learner.aheadFrom(watermark + 1);
    const localMax = localAhead.length > 0 ? localAhead[localAhead.length - 1].slot : 0;
    const slots = recoverSlots(watermark, this.promises.values(), (s) => this.learner.chosenAhead(s), localMax);
    // Only the slots within the accept window of the watermark have a configuration known here
    // (α-window): those are proposed now. Promises may report more, when a restart lost a chosen
    // tail longer than the window that was never stored (on every node alike, perhaps: nobody to
    // learn it from). Those wait in `recovered` and go out in slot order as the window moves,
    // each under its own configuration's promise quorum (an extra Phase 1 where this leader has
    // none, whose reports a higher ballot wins over), as values Phase 1 obliges it to propose.
    const now = slots.slice(0, this.config.acceptWindowSlots);
    const later = slots.slice(this.config.acceptWindowSlots);
    this.role = 'leader';
    this.roleReason = 'won-election';
    this.leaderId = this.id;
    this.leaderBallot = this.ballot;
    this.leaderSinceTick = this.now;
    this.heartbeatElapsed = this.config.heartbeatTicks;
    this.leaderPromised.clear();
    this.heardFounding = false;
    for (const p of this.promises.values()) {
      this.leaderPromised.set(p.from, p.incarnation);
      if (p.incarnation === FOUNDING_INCARNATION) this.heardFounding = true;
    }
    this.promises.clear();
    for (const { slot, value, chosen } of now) {
      // A slot known chosen needs no round: followers learn it from the commit (and catch-up).
      if (chosen) {
        this.learner.learn(slot, value);
        continue;
      }
      this.proposals.set(slot, { value, votes: new Set(), sentTick: this.now });
      for (const to of this.history.at(slot).voters) this.sendPhase2a(to, slot, value);
    }
    for (const { slot, value, ballot } of later) this.recovered.set(slot, { ballot, value });
    for (const slot of this.proposals.keys()) if (this.learner.isChosen(slot)) this.proposals.delete(slot);
    this.nextSlot = watermark + now.length + 1;
    this.recoveredUpTo = watermark + slots.length;
    for (const [nodeId, incarnation] of [...this.leaderPromised]) this.notePeerIncarnation(nodeId, incarnation);
    // A configuration decided but not in force yet takes effect without waiting for traffic.
    if (this.history.latestFromSlot > this.nextSlot) this.fillUpTo = this.history.latestFromSlot - 1;
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
    this.leaderPromised.clear();
    this.extraPhase1 = null;
    this.recovered.clear();
    this.pendingChanges = [];
    this.changeInFlight = null;
    this.bindsInFlight.clear();
    this.fillUpTo = 0;
    this.resetElectionTimer();
  }

  /**
   * A leader whose next slot belongs to a configuration it does not vote in hands over: it asks
   * the most advanced voter of that configuration to campaign at once, and forwards what it queued.
   */
  private handOver(): void {
    const c = this.history.at(this.nextSlot);
    const candidates = c.voters.filter((v) => v !== this.id);
    let target: string | null = null;
    let best = -1;
    for (const voter of candidates) {
      const peer = this.peers.get(voter);
      const heard = peer !== undefined && this.now - peer.heardTick < this.config.electionTicksMin;
      const watermark = heard ? peer.chosenWatermark : -1;
      if (target === null || watermark > best) {
        target = voter;
        best = watermark;
      }
    }
    const queued = this.pending;
    const ballot = this.ballot;
    this.becomeFollower(target, 'handed-over');
    if (target === null) return;
    this.send({ type: 'TimeoutNow', from: this.id, to: target, ballot });
    this.forwardBuffer.push(...queued);
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

  /** Work for the next slot, room in the pipeline, and a vote in that slot's configuration. */
  private canAssignSlot(): boolean {
    if (this.role !== 'leader') return false;
    if (this.nextSlot - 1 - this.learner.chosenWatermark >= this.config.inflightSlotsMax) return false;
    const work = this.recovered.size > 0 || this.pendingChanges.length > 0 || this.pending.length > 0 || this.fillUpTo >= this.nextSlot;
    if (!work) return false;
    const c = this.history.at(this.nextSlot);
    if (!this.history.counts(c, this.id, this.incarnation)) return false;
    return this.extraPhase1 === null;
  }

  /**
   * Fills free slots in the pipeline: values Phase 1 obliges it to propose first, then a
   * membership change, then client values in batches, then no-ops up to a pending configuration.
   * Before the first slot of a configuration it has no promise quorum of, it runs Phase 1 there.
   */
  private assignSlots(): void {
    while (this.canAssignSlot()) {
      const slot = this.nextSlot;
      const c = this.history.at(slot);
      if (this.promiseCount(c, this.leaderPromised) < c.phase1Quorum) {
        this.extraPhase1 = { fromSlot: slot, sentTick: this.now };
        this.sendPhase1a(this.unpromised(c), slot, false);
        return;
      }
      const value = this.takeValue(slot);
      this.nextSlot += 1;
      this.proposals.set(slot, { value, votes: new Set(), sentTick: this.now });
      for (const to of c.voters) this.sendPhase2a(to, slot, value);
    }
  }

  private takeValue(slot: number): SlotValue {
    const recovered = this.recovered.get(slot);
    if (recovered !== undefined) {
      this.recovered.delete(slot);
      return recovered.value;
    }
    const change = this.pendingChanges.shift();
    if (change !== undefined) return { kind: 'config', change };
    if (this.pending.length > 0) {
      const batch = takeBatch(this.pending, this.config.batchCommandsMax, this.config.batchBytesMax);
      this.pending = this.pending.slice(batch.length);
      for (const v of batch) this.queuedIds.delete(v.id);
      return { kind: 'batch', values: batch };
    }
    return NOOP;
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
    for (const to of this.membersToReach()) {
      this.send({ type: 'Commit', from: this.id, to, ballot: this.ballot, chosenWatermark: this.learner.chosenWatermark });
    }
  }

  private sendPhase1a(to: readonly string[], fromSlot: number, transfer: boolean): void {
    this.phase1SentTick = this.now;
    for (const t of to) {
      this.send(transfer ? { type: 'Phase1a', from: this.id, to: t, ballot: this.ballot, fromSlot, transfer } : { type: 'Phase1a', from: this.id, to: t, ballot: this.ballot, fromSlot });
    }
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
        return this.history.at(this.learner.chosenWatermark).phase2Quorum > 1;
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
    else this.peers.set(nodeId, { heardTick: this.now, chosenWatermark: 0, incarnation: null });
  }

  /**
   * Remembers the incarnation a peer speaks from. The leader binds a member it finds unbound, so
   * that a later loss of that member's storage is recognised by everyone. It binds only while no
   * peer speaks from the founding incarnation (a release before incarnations, which could not
   * read a membership change), and never a second incarnation of a node heard before.
   */
  private notePeerIncarnation(nodeId: string, incarnation: string): void {
    const peer = this.peers.get(nodeId);
    if (peer) peer.incarnation = incarnation;
    // The founding incarnation is a release before incarnations: moving from it to a real one is
    // that node's upgrade (its storage kept), not a second incarnation.
    if (incarnation === FOUNDING_INCARNATION) this.heardFounding = true;
    else if (!this.firstHeard.has(nodeId)) this.firstHeard.set(nodeId, incarnation);
    if (this.role !== 'leader' || this.heardFounding || this.firstHeard.get(nodeId) !== incarnation) return;
    const latest = this.history.latest;
    const member = latest.voters.includes(nodeId) || latest.learners.includes(nodeId);
    if (!member || latest.incarnations[nodeId] !== undefined) return;
    const change: MembershipChange = { id: `bind-${nodeId}-${incarnation}`, op: 'bind', nodeId, incarnation };
    if (this.history.hasChange(change.id) || this.pendingChanges.some((c) => c.id === change.id) || this.bindsInFlight.has(change.id)) return;
    if (refuseChange(latest, change) !== null) return;
    this.pendingChanges.push(change);
    this.bindsInFlight.add(change.id);
  }

  /**
   * Whether a vote counts: the configuration lets it (`ConfigHistory.counts`), and the voter is
   * not speaking from a second incarnation while unbound (its storage was lost before the
   * binding was decided; this replica remembers the first one). A vote from the founding
   * incarnation counts while the node is unbound, even once it was heard from a real one: that
   * is the same storage before its upgrade (a promise made then still holds).
   */
  private votes(c: Membership, nodeId: string, incarnation: string): boolean {
    if (!this.history.counts(c, nodeId, incarnation)) return false;
    if (this.history.latest.incarnations[nodeId] !== undefined || incarnation === FOUNDING_INCARNATION) return true;
    const first = this.firstHeard.get(nodeId);
    return first === undefined || first === incarnation;
  }

  /** Voters of `c` whose promise to this leader is missing or does not count (any more): whom an extra Phase 1 asks. */
  private unpromised(c: Membership): string[] {
    return c.voters.filter((v) => {
      const incarnation = this.leaderPromised.get(v);
      return incarnation === undefined || !this.votes(c, v, incarnation);
    });
  }

  /** The configurations of every slot from the next one to decide up to α past it. */
  private knownConfigs(): Membership[] {
    const next = this.learner.chosenWatermark + 1;
    return this.history.between(next, next + this.config.acceptWindowSlots - 1);
  }

  /** Voters to ask for promises: every voter of a configuration a candidate must recover slots of. */
  private votersToAsk(): string[] {
    return [...new Set(this.knownConfigs().flatMap((c) => c.voters))];
  }

  /** Every other node of the configurations in the window and of the newest one: who hears heartbeats and commits. */
  private membersToReach(): string[] {
    const ids = new Set<string>();
    for (const c of [...this.knownConfigs(), this.history.latest]) for (const id of [...c.voters, ...c.learners]) ids.add(id);
    ids.delete(this.id);
    return [...ids];
  }

  private canCampaign(): boolean {
    return this.history.counts(this.history.at(this.learner.chosenWatermark + 1), this.id, this.incarnation);
  }

  /** Why this replica does not vote in the configuration of its next slot, or null when it does. */
  private notVotingReason(): NotVotingReason | null {
    const c = this.history.at(this.learner.chosenWatermark + 1);
    if (this.history.counts(c, this.id, this.incarnation)) return null;
    const bound = this.history.latest.incarnations[this.id] ?? c.incarnations[this.id];
    const member = c.voters.includes(this.id) || this.history.latest.voters.includes(this.id) || this.history.latest.learners.includes(this.id);
    if (member && bound !== undefined && bound !== this.incarnation) return 'incarnation-mismatch';
    if (c.learners.includes(this.id) || this.history.latest.learners.includes(this.id)) return 'learner';
    return 'not-a-member';
  }

  /** A peer whose chosen watermark is within α of this replica's: close enough to vote. */
  private isCaughtUp(nodeId: string): boolean {
    const peer = this.peers.get(nodeId);
    if (peer === undefined || this.now - peer.heardTick >= this.config.electionTicksMin) return false;
    return this.learner.chosenWatermark - peer.chosenWatermark <= this.config.acceptWindowSlots;
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

/** The incarnation of storage written before incarnations existed: bound like any other. */
export const FOUNDING_INCARNATION = 'founding';

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
