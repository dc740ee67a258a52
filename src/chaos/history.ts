/** How an operation ended, as the client saw it. */
export type OpOutcome =
  /** Acknowledged: applied, the answer names its command id and position. */
  | 'ok'
  /** Definitely not applied as asked: never reached the log (400/401/403, refused connection), or refused by the log (404/409/422). */
  | 'failed'
  /** Maybe applied: a timeout, a 503/504, a connection cut mid-request. */
  | 'unknown';

/** One operation of the workload, as the history records it. */
export interface OpRecord {
  readonly seq: number;
  readonly kind: string;
  readonly via: 'rest' | 'nats';
  /** The node (REST) or NATS server (NATS) it was sent to. */
  readonly target: string;
  /** The Idempotency-Key sent. */
  readonly key: string;
  /** The command id the log holds it under: the key scoped to its sender (every decision under it, or `<id>#<n>`). */
  readonly logId: string;
  readonly startedAt: number;
  endedAt: number;
  outcome: OpOutcome;
  /** HTTP status, or the NATS error code / transport failure. */
  status: number | string;
  /** The command id the answer named (ok only). */
  commandId?: string;
  position?: number;
  detail?: string;
}

/** One step of a membership fault (kill, drop the database, a CLI command, ...) and how long it took. */
export interface FaultStep {
  readonly what: string;
  readonly ms: number;
}

/** The faults the nemesis injected, with when they started and healed (ms since the run began). */
export interface FaultRecord {
  readonly kind: string;
  /** The node it hit (the node that ran on the host then, for a host's MariaDB, NATS server or routes). */
  readonly target: string;
  /** The target led the cluster when the fault began. */
  targetLed?: boolean;
  readonly startedAt: number;
  /** The fault took effect (its start did not throw). */
  injected: boolean;
  healedAt: number | null;
  /** When a write was acknowledged again after the heal, or null when none was. */
  writesBackAt: number | null;
  note?: string;
  /** Membership faults: each step done, in order, with its duration. */
  steps?: FaultStep[];
  /** `replace-node`: the spare that took the target's place (added, promoted; the target removed). */
  replacedBy?: string;
  /** `wipe-node`: the target's status once restarted on an empty database, before it was added again. */
  restartedAs?: { voting: boolean; notVotingReason: string | null; incarnationChanged: boolean; lossLogged: boolean };
  /** `wipe-node`: the target voted again after `cluster:replace-node <id> <id>`. */
  votesAgain?: boolean;
}

/** An interval with no acknowledged write. */
export interface UnavailabilityWindow {
  readonly from: number;
  readonly to: number;
  readonly ms: number;
}

/**
 * The intervals longer than `minMs` in which no operation was acknowledged: between consecutive
 * acknowledgements (by end time), from the start of the run to the first, from the last to `endAt`.
 */
export function unavailabilityWindows(ops: readonly OpRecord[], startAt: number, endAt: number, minMs = 1000): UnavailabilityWindow[] {
  const acks = ops.filter((o) => o.outcome === 'ok').map((o) => o.endedAt).sort((a, b) => a - b);
  const edges = [startAt, ...acks, endAt];
  const windows: UnavailabilityWindow[] = [];
  for (let i = 1; i < edges.length; i++) {
    const ms = edges[i] - edges[i - 1];
    if (ms > minMs) windows.push({ from: edges[i - 1], to: edges[i], ms });
  }
  return windows;
}

/**
 * When writes were served again after a heal: the end of the first acknowledged operation that
 * started at or after `healedAt`, or null.
 */
export function writesBackAt(ops: readonly OpRecord[], healedAt: number): number | null {
  let best: number | null = null;
  for (const op of ops) {
    if (op.outcome !== 'ok' || op.startedAt < healedAt) continue;
    if (best === null || op.endedAt < best) best = op.endedAt;
  }
  return best;
}

/** The base command id of a decision id: `<key>#<n>` is the n-th re-decision of `<key>`. */
export function baseCommandId(commandId: string): string {
  const hash = commandId.lastIndexOf('#');
  return hash > 0 && /^\d+$/.test(commandId.slice(hash + 1)) ? commandId.slice(0, hash) : commandId;
}
