import { sleep } from '../bench/poll';
import type { Random } from '../shared/random';
import type { ChaosCluster } from './chaos-cluster';
import type { FaultRecord } from './history';

/** Every fault the nemesis knows. */
export const FAULT_KINDS = [
  'kill-leader',
  'kill-random',
  'pause-leader',
  'pause-random',
  'isolate-leader',
  'split-one-two',
  'one-way',
  'kill-mariadb',
  'restart-nats',
  'slow-routes',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One planned fault: what, on which node (`leader` is resolved when it starts), how long, then a quiet gap. */
export interface PlannedFault {
  readonly kind: FaultKind;
  /** A node id, or 'leader'. */
  readonly target: string;
  readonly holdMs: number;
  readonly quietMs: number;
}

/** SIGSTOP pauses last 8 s (the figure). */
const PAUSE_MS = 8000;

/**
 * The schedule of a run, drawn from its seed only: the fault kinds in a shuffled cycle (so a short
 * run still meets many kinds, a long one every kind many times), each held a few seconds and
 * followed by a quiet gap. More than `durationMs` of faults; the runner stops when time is up.
 */
export function drawSchedule(random: Random, durationMs: number, nodeIds: readonly string[]): PlannedFault[] {
  const plan: PlannedFault[] = [];
  let planned = 0;
  while (planned < durationMs) {
    const cycle = [...FAULT_KINDS];
    for (let i = cycle.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [cycle[i], cycle[j]] = [cycle[j], cycle[i]];
    }
    for (const kind of cycle) {
      const onLeader = kind.endsWith('-leader');
      const target = onLeader ? 'leader' : nodeIds[random.int(nodeIds.length)];
      const holdMs = kind.startsWith('pause') ? PAUSE_MS : 3000 + random.int(5000);
      const quietMs = 2000 + random.int(3000);
      plan.push({ kind, target, holdMs, quietMs });
      // Counted without the heal's own time (restarts take seconds), so the plan always outlasts
      // the run; the runner stops at the run's end.
      planned += holdMs + quietMs;
      if (planned >= durationMs) break;
    }
  }
  return plan;
}

/** A clock in ms since the run began. */
export type RunClock = () => number;

/**
 * Runs the schedule against the cluster until `untilMs`: injects each fault, holds it, heals
 * everything (network, paused nodes, dead processes restarted) and records it.
 */
export class Nemesis {
  readonly faults: FaultRecord[] = [];

  constructor(
    private readonly cluster: ChaosCluster,
    private readonly clock: RunClock,
    private readonly log: (line: string) => void,
  ) {}

  async run(plan: readonly PlannedFault[], untilMs: number): Promise<void> {
    for (const fault of plan) {
      if (this.clock() + fault.holdMs > untilMs) break;
      await this.inject(fault);
      await sleep(Math.min(fault.quietMs, Math.max(0, untilMs - this.clock())));
    }
  }

  /** Injects one fault, holds it, heals, and records it. */
  async inject(fault: PlannedFault): Promise<FaultRecord> {
    const target = fault.target === 'leader' ? ((await this.cluster.leader()) ?? this.cluster.ids[0]) : fault.target;
    const record: FaultRecord = { kind: fault.kind, target, startedAt: this.clock(), injected: false, healedAt: null, writesBackAt: null };
    this.faults.push(record);
    this.log(`${(record.startedAt / 1000).toFixed(1)} s: ${fault.kind} ${target} for ${fault.holdMs} ms`);
    try {
      await this.start(fault.kind, target);
      record.injected = true;
      await sleep(fault.holdMs);
      // Healing is the same for every fault: the network, paused nodes, databases, NATS and nodes.
      await this.cluster.healAll();
    } catch (error) {
      record.note = `heal trouble: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      this.log(record.note);
      await this.cluster.healAll();
    }
    record.healedAt = this.clock();
    this.log(`${(record.healedAt / 1000).toFixed(1)} s: healed`);
    return record;
  }

  private async start(kind: FaultKind, target: string): Promise<void> {
    const others = this.cluster.ids.filter((id) => id !== target);
    switch (kind) {
      case 'kill-leader':
      case 'kill-random':
        return this.cluster.killNode(target);
      case 'pause-leader':
      case 'pause-random':
        return this.cluster.pauseNode(target);
      case 'isolate-leader':
      case 'split-one-two':
        // With three hosts a 1/2 split is one host cut from the two others.
        for (const other of others) this.cluster.setLink(target, other, 'blocked');
        return;
      case 'one-way':
        // The target's server can no longer send to the others; it still hears them.
        for (const other of others) this.cluster.setLink(target, other, 'one-way');
        return;
      case 'kill-mariadb':
        return this.cluster.host(target).mariadb.kill9();
      case 'restart-nats':
        return this.cluster.host(target).nats.kill9();
      case 'slow-routes':
        for (const other of others) this.cluster.setLink(target, other, 'open', 300);
        return;
    }
  }
}
