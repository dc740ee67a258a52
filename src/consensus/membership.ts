/**
 * Cluster membership as state decided by the log.
 *
 * A change is a slot value of kind `config`. Chosen at slot i, it governs every slot from
 * i + α on, where α is the acceptor's window (`acceptWindowSlots`): an acceptor only accepts a
 * slot within α of its own chosen watermark, and a leader only proposes within its pipeline
 * (at most α/2 ahead), so whoever votes on or proposes for slot s already knows the
 * configuration of s from its chosen prefix (Lamport, "Reconfiguring a State Machine", the
 * α-window scheme). Every slot has exactly one configuration; a leader holds a Phase 1 quorum
 * of that configuration before it proposes there.
 *
 * Voters are bound to a storage incarnation: a node whose storage was lost or rolled back comes
 * back under a new incarnation, and its votes never count for the old one.
 */
import { assert } from '../shared/assert';

/** One membership change. `id` lets the operator follow it; it is applied once. */
export type MembershipChange =
  | { readonly id: string; readonly op: 'add-learner'; readonly nodeId: string; readonly incarnation?: string }
  | { readonly id: string; readonly op: 'promote'; readonly nodeId: string; readonly incarnation: string }
  | { readonly id: string; readonly op: 'remove'; readonly nodeId: string }
  | { readonly id: string; readonly op: 'bind'; readonly nodeId: string; readonly incarnation: string };

export type MembershipOp = MembershipChange['op'];

/** A configuration: who votes, who only learns, quorum sizes, and the incarnations bound so far. */
export interface Membership {
  /** Counts every change applied; the founding configuration is version 0. */
  readonly version: number;
  readonly voters: readonly string[];
  readonly learners: readonly string[];
  readonly phase1Quorum: number;
  readonly phase2Quorum: number;
  /** Incarnation per node id; a founding voter is unbound until the leader binds it. */
  readonly incarnations: Readonly<Record<string, string>>;
}

/** A configuration and the first slot it governs. */
export interface ConfigEpoch {
  readonly fromSlot: number;
  /** The slot whose chosen change made it; 0 for the founding configuration. */
  readonly changeSlot: number;
  readonly membership: Membership;
}

/** What became of one chosen change. */
export interface ChangeOutcome {
  readonly change: MembershipChange;
  readonly slot: number;
  /** The first slot the new configuration governs, when applied. */
  readonly effectiveSlot: number | null;
  /** Why a change was not applied (it no longer made sense when it was chosen). */
  readonly refused: string | null;
}

/** Node ids follow the same rule as the founding members'. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** Incarnations are opaque tokens of bounded size. */
export const INCARNATION_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** The most voters a configuration may have. */
export const VOTERS_MAX = 9;
/** The most learners a configuration may have. */
export const LEARNERS_MAX = 9;

/** A majority of `n`. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** The founding configuration, from the founding members and their quorum sizes. */
export function foundingMembership(voters: readonly string[], phase1Quorum: number, phase2Quorum: number): Membership {
  return { version: 0, voters: [...voters], learners: [], phase1Quorum, phase2Quorum, incarnations: {} };
}

/**
 * Checks a change against the configuration it would apply to. Returns why it cannot apply, or
 * null. The same rule runs when the leader accepts a change and when any node applies it at
 * its chosen slot, so every node reaches the same outcome.
 */
export function refuseChange(current: Membership, change: MembershipChange): string | null {
  if (!NODE_ID_PATTERN.test(change.nodeId)) return `node id must match ${NODE_ID_PATTERN.source}`;
  if ('incarnation' in change && change.incarnation !== undefined && !INCARNATION_PATTERN.test(change.incarnation)) {
    return `incarnation must match ${INCARNATION_PATTERN.source}`;
  }
  const isVoter = current.voters.includes(change.nodeId);
  const isLearner = current.learners.includes(change.nodeId);
  const bound = current.incarnations[change.nodeId];
  switch (change.op) {
    case 'add-learner':
      if (isLearner && (change.incarnation === undefined || change.incarnation === bound)) return `${change.nodeId} is a learner already`;
      if (isVoter && (change.incarnation === undefined || change.incarnation === bound)) {
        return `${change.nodeId} is a voter already; a voter is re-added only under a new incarnation`;
      }
      if (isVoter && current.voters.length === 1) return `${change.nodeId} is the only voter`;
      if (!isVoter && !isLearner && current.learners.length >= LEARNERS_MAX) return `at most ${LEARNERS_MAX} learners`;
      return null;
    case 'promote':
      if (!isLearner) return `${change.nodeId} is not a learner`;
      if (bound !== undefined && bound !== change.incarnation) return `${change.nodeId} runs incarnation ${bound}, not ${change.incarnation}`;
      if (current.voters.length >= VOTERS_MAX) return `at most ${VOTERS_MAX} voters`;
      return null;
    case 'remove':
      if (!isVoter && !isLearner) return `${change.nodeId} is not a member`;
      if (isVoter && current.voters.length === 1) return `${change.nodeId} is the only voter`;
      return null;
    case 'bind':
      if (!isVoter && !isLearner) return `${change.nodeId} is not a member`;
      if (bound !== undefined) return bound === change.incarnation ? `${change.nodeId} is bound already` : `${change.nodeId} is bound to another incarnation`;
      return null;
  }
}

/** Applies a change that `refuseChange` let through. Quorums of a changed configuration are majorities. */
export function applyChange(current: Membership, change: MembershipChange): Membership {
  const without = (list: readonly string[]): string[] => list.filter((id) => id !== change.nodeId);
  const incarnations = { ...current.incarnations };
  let voters = [...current.voters];
  let learners = [...current.learners];
  switch (change.op) {
    case 'add-learner':
      voters = without(voters);
      learners = [...without(learners), change.nodeId];
      if (change.incarnation === undefined) delete incarnations[change.nodeId];
      else incarnations[change.nodeId] = change.incarnation;
      break;
    case 'promote':
      learners = without(learners);
      voters = [...voters, change.nodeId];
      incarnations[change.nodeId] = change.incarnation;
      break;
    case 'remove':
      voters = without(voters);
      learners = without(learners);
      delete incarnations[change.nodeId];
      break;
    case 'bind':
      incarnations[change.nodeId] = change.incarnation;
      break;
  }
  const sameVoters = voters.length === current.voters.length && voters.every((v) => current.voters.includes(v));
  return {
    version: current.version + 1,
    voters,
    learners,
    phase1Quorum: sameVoters ? current.phase1Quorum : majority(voters.length),
    phase2Quorum: sameVoters ? current.phase2Quorum : majority(voters.length),
    incarnations,
  };
}

/**
 * The configurations decided so far, by the slot they govern from. Deterministic in the chosen
 * log: every node that learned the same prefix holds the same history.
 */
export class ConfigHistory {
  private readonly epochs: ConfigEpoch[];
  private readonly outcomes: ChangeOutcome[] = [];
  private readonly appliedIds = new Set<string>();
  private lastSlot = 0;

  constructor(
    founding: Membership,
    /** α: slots between a change's own slot and the first slot it governs. */
    readonly delaySlots: number,
  ) {
    assert(delaySlots >= 1, 'config delay is at least one slot');
    this.epochs = [{ fromSlot: 1, changeSlot: 0, membership: founding }];
  }

  /** The configuration that governs `slot`. */
  at(slot: number): Membership {
    for (let i = this.epochs.length - 1; i >= 0; i--) if (this.epochs[i].fromSlot <= slot) return this.epochs[i].membership;
    return this.epochs[0].membership;
  }

  /** The newest configuration decided, which may govern only slots not reached yet. */
  get latest(): Membership {
    return this.epochs[this.epochs.length - 1].membership;
  }

  /** The first slot the newest configuration governs. */
  get latestFromSlot(): number {
    return this.epochs[this.epochs.length - 1].fromSlot;
  }

  /** Every configuration that governs some slot in [from, to], oldest first. */
  between(from: number, to: number): Membership[] {
    const out: Membership[] = [];
    for (let i = 0; i < this.epochs.length; i++) {
      const start = this.epochs[i].fromSlot;
      const end = i + 1 < this.epochs.length ? this.epochs[i + 1].fromSlot - 1 : Infinity;
      if (end >= from && start <= to) out.push(this.epochs[i].membership);
    }
    return out;
  }

  /** Every epoch, oldest first (for status pages and the simulator's cross-node check). */
  list(): readonly ConfigEpoch[] {
    return this.epochs;
  }

  /** What became of the changes chosen so far, oldest first. */
  changes(): readonly ChangeOutcome[] {
    return this.outcomes;
  }

  /** True when a change with this id was chosen already (applied or refused). */
  hasChange(id: string): boolean {
    return this.appliedIds.has(id);
  }

  /**
   * Records the change chosen in `slot`, applying it to the newest configuration. Slots must come
   * in increasing order (the learner hands them out that way).
   */
  record(slot: number, change: MembershipChange): ChangeOutcome {
    assert(slot > this.lastSlot, `config changes recorded in slot order: ${slot} after ${this.lastSlot}`);
    this.lastSlot = slot;
    const refused = this.appliedIds.has(change.id) ? 'the same change was chosen already' : refuseChange(this.latest, change);
    this.appliedIds.add(change.id);
    let effectiveSlot: number | null = null;
    if (refused === null) {
      effectiveSlot = slot + this.delaySlots;
      const membership = applyChange(this.latest, change);
      this.epochs.push({ fromSlot: effectiveSlot, changeSlot: slot, membership });
    }
    const outcome: ChangeOutcome = { change, slot, effectiveSlot, refused };
    this.outcomes.push(outcome);
    if (this.outcomes.length > CHANGES_KEPT) this.outcomes.shift();
    return outcome;
  }

  /**
   * Whether a vote from `nodeId` running `incarnation` counts in `membership`: it must be a
   * voter there, and neither that configuration nor the newest may bind it to another
   * incarnation (a binding decided later only ever narrows who counts).
   */
  counts(membership: Membership, nodeId: string, incarnation: string): boolean {
    if (!membership.voters.includes(nodeId)) return false;
    const then = membership.incarnations[nodeId];
    const now = this.latest.incarnations[nodeId];
    return (then === undefined || then === incarnation) && (now === undefined || now === incarnation);
  }
}

/** Outcomes kept for status pages; older ones are in the log. */
const CHANGES_KEPT = 64;
