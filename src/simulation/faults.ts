import type { Random } from '../shared/random';
import type { NetworkFaults } from './network';

/** One scheduled fault. `leader` targets whoever leads when the fault fires. */
export type Fault =
  | { at: number; kind: 'isolate'; target: 'leader' | number; heal: number }
  | { at: number; kind: 'split'; minority: number; heal: number }
  | { at: number; kind: 'one-way'; from: number; to: number; heal: number }
  /**
   * A crash between steps, in the middle of a tick (`midTick`: after the messages arrived, before
   * their Readies are handled), or inside an apply batch (`midApply`: half the queued chosen
   * entries stored, the rest lost).
   */
  | { at: number; kind: 'crash'; target: 'leader' | number; midTick: boolean; midApply: boolean; restart: number }
  | { at: number; kind: 'pause'; target: 'leader' | number; resume: number }
  | { at: number; kind: 'wipe'; target: 'leader' | number; restart: number }
  | { at: number; kind: 'rollback'; target: 'leader' | number; restart: number };

/** The faults one seed draws: the network's behaviour and a schedule of events. */
export interface FaultPlan {
  network: NetworkFaults;
  events: Fault[];
}

/**
 * Draws a seed's faults: loss up to 30%, duplication up to 50%, delays that reorder, and 2..9
 * events (isolations of the leader, minority/majority splits, one-way cuts, crashes, pauses).
 */
export function drawFaults(random: Random, nodes: number, faultTicks: number, storageFaults: boolean | 'wipe' | 'rollback' = false): FaultPlan {
  const network = {
    loss: random.float() * 0.3,
    duplication: random.float() * 0.5,
    delayMax: 1 + random.int(8),
    longDelay: random.float() * 0.05,
    longDelayMax: 150,
  };
  const events: Fault[] = [];
  const count = 2 + random.int(8);
  const target = (): 'leader' | number => (random.int(2) === 0 ? 'leader' : random.int(nodes));
  for (let i = 0; i < count; i++) {
    const at = 40 + random.int(faultTicks - 140);
    const length = 20 + random.int(300);
    const end = Math.min(at + length, faultTicks);
    switch (random.int(storageFaults ? 7 : 5)) {
      case 0:
        events.push({ at, kind: 'isolate', target: target(), heal: end });
        break;
      case 1:
        events.push({ at, kind: 'split', minority: 1 + random.int(Math.floor((nodes - 1) / 2)), heal: end });
        break;
      case 2:
        events.push({ at, kind: 'one-way', from: random.int(nodes), to: random.int(nodes), heal: end });
        break;
      case 3: {
        const who = target();
        const midTick = random.int(2) === 0;
        // Derived from what was drawn already, so the seeds' random streams stay as they were.
        events.push({ at, kind: 'crash', target: who, midTick, midApply: !midTick && at % 2 === 0, restart: end });
        break;
      }
      case 4:
        events.push({ at, kind: 'pause', target: target(), resume: end });
        break;
      case 5:
        events.push({ at, kind: storageFaults === 'rollback' ? 'rollback' : 'wipe', target: target(), restart: end });
        break;
      default:
        events.push({ at, kind: storageFaults === 'wipe' ? 'wipe' : 'rollback', target: target(), restart: end });
    }
  }
  return { network, events: events.sort((a, b) => a.at - b.at) };
}

/** A one-line description of a plan, printed when a seed is replayed. */
export function describeFaults(plan: FaultPlan): string {
  const n = plan.network;
  const head = `loss ${(n.loss * 100).toFixed(1)}%, duplication ${(n.duplication * 100).toFixed(1)}%, delay 1..${n.delayMax} ticks (${(n.longDelay * 100).toFixed(1)}% up to ${n.longDelayMax})`;
  const events = plan.events.map((e) => `${e.kind}@${e.at}${'target' in e ? `(${e.target})` : ''}`).join(' ');
  return `${head}; ${events}`;
}
