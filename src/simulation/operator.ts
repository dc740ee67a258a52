import type { ChangeRequest } from '../consensus';
import type { Random } from '../shared/random';
import type { SimNode } from './sim-node';

/** One step of a plan: a change to ask the leader for, or the removal of whoever leads then. */
type Step = ChangeRequest | { readonly id: string; readonly op: 'remove-leader' };

/** Attempts a step gets before the operator gives up on it. */
const ATTEMPTS_MAX = 300;

/**
 * The simulated operator: it changes the membership while faults run (grow 3 to 5 and back,
 * replace a node, the leader included), and re-adds a node whose storage was lost under its new
 * incarnation (as a learner, then promoted). It talks only to the leader, like the CLI, retries
 * a change the leader cannot take yet (a learner still catching up, another change in
 * progress), and waits for each change to be chosen before the next.
 */
export class Operator {
  private readonly steps: Step[] = [];
  private current: { step: Step; attempts: number; asked: string | null } | null = null;
  private seq = 0;
  private readonly startAt: number;
  private readonly repairing = new Set<string>();
  private done = 0;
  private skipped: string[] = [];

  constructor(
    private readonly random: Random,
    private readonly nodes: readonly SimNode[],
    founding: readonly string[],
    spares: readonly string[],
  ) {
    this.startAt = 60 + random.int(600);
    const [a, b] = spares;
    if (founding.length === 3 && random.int(2) === 0) {
      // Grow from 3 to 5 voters, then shrink back, removing the leader among others.
      this.plan({ op: 'add-learner', nodeId: a }, { op: 'promote', nodeId: a }, { op: 'add-learner', nodeId: b }, { op: 'promote', nodeId: b });
      this.plan({ op: 'remove-leader' }, { op: 'remove', nodeId: founding[random.int(founding.length)] });
    } else {
      // Replace the leader with a new node, then a random voter with another.
      this.plan({ op: 'add-learner', nodeId: a }, { op: 'promote', nodeId: a }, { op: 'remove-leader' });
      this.plan({ op: 'add-learner', nodeId: b }, { op: 'promote', nodeId: b }, { op: 'remove', nodeId: founding[random.int(founding.length)] });
    }
  }

  /** True when every planned step and every repair is done or given up. */
  idle(): boolean {
    return this.current === null && this.steps.length === 0 && this.needsRepair().length === 0;
  }

  describe(): string {
    return `${this.done} steps done, ${this.steps.length} left, current ${this.current ? `${this.current.step.op} ${'nodeId' in this.current.step ? this.current.step.nodeId : ''} (${this.current.attempts} attempts, ${this.current.asked ?? 'not asked'})` : 'none'}; skipped ${this.skipped.join(', ') || 'none'}`;
  }

  /** Called every few ticks: moves the current step on, or takes the next one. */
  step(now: number, faultsOn: boolean): void {
    if (now < this.startAt && faultsOn) return;
    for (const nodeId of this.needsRepair()) {
      if (this.repairing.has(nodeId)) continue;
      // A node under a new incarnation is re-added as a learner under it, then promoted.
      this.repairing.add(nodeId);
      this.steps.unshift({ id: this.nextId(), op: 'add-learner', nodeId }, { id: this.nextId(), op: 'promote', nodeId });
    }
    if (this.current === null) {
      const next = this.steps.shift();
      if (next === undefined) return;
      this.current = { step: next, attempts: 0, asked: null };
    }
    const current = this.current;
    const leader = this.leader();
    if (current.asked !== null) {
      if (this.nodes.some((n) => n.replica.status().configChanges.some((c) => c.change.id === current.asked))) return this.finish();
      current.attempts += 1;
      // The leader that queued it may have lost leadership: ask again (a new id, the same change).
      if (current.attempts % 30 === 0) current.asked = null;
      if (current.attempts < ATTEMPTS_MAX) return;
      return this.giveUp('not chosen');
    }
    current.attempts += 1;
    if (current.attempts > ATTEMPTS_MAX) return this.giveUp('refused too long');
    if (leader === null) return;
    const id = this.nextId();
    const request: ChangeRequest | null =
      current.step.op === 'remove-leader' ? { id, op: 'remove', nodeId: leader.id } : { ...current.step, id };
    if (request.op === 'remove' && leader.replica.status().latestMembership.voters.length <= 3) {
      // An operator keeps three voters: one fewer would leave no room for a failure.
      return this.giveUp('would leave fewer than three voters');
    }
    if (request.op === 'add-learner') {
      const target = this.nodes.find((n) => n.id === request.nodeId);
      const incarnation = target?.replica.status().incarnation;
      Object.assign(request, { incarnation });
    }
    const result = leader.replica.proposeChange(request);
    if (result.status === 'queued') current.asked = result.change.id;
    else if (result.status === 'refused' && /not a learner|is a learner already|not a member|only voter|a voter already|bound/.test(result.reason)) {
      // The change no longer makes sense (an earlier step or a repair did it): move on.
      this.giveUp(result.reason);
    }
  }

  private plan(...steps: ({ op: 'remove-leader' } | Omit<ChangeRequest, 'id'>)[]): void {
    for (const step of steps) this.steps.push({ ...step, id: this.nextId() } as Step);
  }

  private finish(): void {
    const step = this.current?.step;
    if (step && 'nodeId' in step && step.op === 'promote') this.repairing.delete(step.nodeId);
    this.done += 1;
    this.current = null;
  }

  private giveUp(reason: string): void {
    const step = this.current?.step;
    if (step) this.skipped.push(`${step.op}${'nodeId' in step ? ` ${step.nodeId}` : ''}: ${reason}`);
    if (step && 'nodeId' in step) this.repairing.delete(step.nodeId);
    this.current = null;
  }

  private nextId(): string {
    this.seq += 1;
    return `op${this.seq}`;
  }

  /** Running nodes that the newest configuration names under another incarnation than theirs. */
  private needsRepair(): string[] {
    const reference = this.nodes.reduce((a, b) => (b.storage.watermark > a.storage.watermark ? b : a)).replica.status().latestMembership;
    return this.nodes
      .filter((n) => n.up)
      .filter((n) => {
        const bound = reference.incarnations[n.id];
        const member = reference.voters.includes(n.id) || reference.learners.includes(n.id);
        return member && bound !== undefined && bound !== n.storage.incarnation;
      })
      .map((n) => n.id);
  }

  private leader(): SimNode | null {
    const leaders = this.nodes.filter((n) => n.up && n.replica.status().role === 'leader');
    if (leaders.length === 0) return null;
    return leaders.reduce((a, b) => (b.replica.status().ballot.round > a.replica.status().ballot.round ? b : a));
  }
}
