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
export function checkLog(nodes: readonly SimNode[], acked: ReadonlySet<string>): string[] {
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
  for (const node of nodes) {
    const counts = new Map<string, number>();
    for (const id of node.applied) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const id of acked) {
      const count = counts.get(id) ?? 0;
      if (count !== 1) problems.push(`${node.id} applied acknowledged value ${id} ${count} times`);
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
