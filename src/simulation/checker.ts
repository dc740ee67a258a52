import { valueKey } from '../consensus';
import type { SimNode } from './sim-node';

/**
 * Liveness after the heal: every client value was acknowledged and every node stores the same
 * number of chosen slots. Returns what is still missing, or null when converged.
 */
export function checkConverged(nodes: readonly SimNode[], clientsIdle: boolean): string | null {
  if (!clientsIdle) return 'clients still wait for values';
  const lengths = nodes.map((n) => n.storage.chosen.length);
  if (lengths.some((l) => l !== lengths[0])) return `nodes' logs differ in length (${nodes.map((n, i) => `${n.id} ${lengths[i]}`).join(', ')})`;
  const applied = nodes.map((n) => n.replica.status().appliedWatermark);
  if (applied.some((a) => a !== lengths[0])) return 'a node has not applied its whole log';
  return null;
}

/**
 * Safety at the end: every stored log is a prefix of the others', every node applied the same
 * commands in the same order, and every acknowledged value is applied exactly once everywhere.
 */
export function checkLog(nodes: readonly SimNode[], members: readonly SimNode[], acked: ReadonlySet<string>, converged = true): string[] {
  const problems: string[] = [];
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i].storage.chosen;
      const b = nodes[j].storage.chosen;
      const common = Math.min(a.length, b.length);
      for (let k = 0; k < common; k++) {
        if (valueKey(a[k].value) !== valueKey(b[k].value)) {
          problems.push(`${nodes[i].id} and ${nodes[j].id} differ at slot ${k + 1}`);
          break;
        }
      }
    }
  }
  // Nodes removed from the configuration stop learning: only members must hold every value.
  for (const node of members) {
    const counts = new Map<string, number>();
    for (const id of node.applied) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const id of acked) {
      const count = counts.get(id) ?? 0;
      // A member that has not caught up is a liveness failure, reported as such; twice is never right.
      if (count > 1 || (count === 0 && converged)) problems.push(`${node.id} applied acknowledged value ${id} ${count} times`);
    }
  }
  const reference = nodes[0].applied.join(',');
  for (const node of nodes.slice(1)) {
    const mine = node.applied.join(',');
    const shorter = Math.min(mine.length, reference.length);
    if (mine.slice(0, shorter) !== reference.slice(0, shorter)) problems.push(`${node.id} applied commands in another order than ${nodes[0].id}`);
  }
  return problems.slice(0, 10);
}

/**
 * Every node that learned a prefix of the log holds the same configurations for it: no two
 * nodes disagree on which configuration governs a slot both have chosen.
 */
export function checkConfigHistories(nodes: readonly SimNode[]): string[] {
  const problems: string[] = [];
  const views = nodes.map((n) => {
    const status = n.replica.status();
    return { id: n.id, watermark: status.chosenWatermark, epochs: status.configEpochs };
  });
  for (let i = 0; i < views.length; i++) {
    for (let j = i + 1; j < views.length; j++) {
      const a = views[i];
      const b = views[j];
      const upTo = Math.min(a.watermark, b.watermark);
      const key = (e: (typeof a.epochs)[number]): string => `${e.fromSlot}:${e.changeSlot}:${JSON.stringify(e.membership)}`;
      const ea = a.epochs.filter((e) => e.changeSlot <= upTo).map(key);
      const eb = b.epochs.filter((e) => e.changeSlot <= upTo).map(key);
      if (ea.join('|') !== eb.join('|')) problems.push(`${a.id} and ${b.id} hold different configurations up to slot ${upTo}`);
    }
  }
  return problems.slice(0, 5);
}
