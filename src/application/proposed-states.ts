import type { DomainEvent } from '../domain';
import type { SagaState } from '../sagas';
import { AGGREGATE_KINDS, type AggregateKind, AggregateNotLoadedError, type AggregateStore, TypedAggregateReads } from './aggregate-store';

/** What the leader proposed under one command and has not seen applied yet. */
export interface ProposedTicket {
  /** The aggregates (`kind/id`) its events move. */
  readonly keys: readonly string[];
  readonly settled: Promise<void>;
}

interface Ticket extends ProposedTicket {
  readonly resolve: () => void;
}

/** One proposed state of an aggregate, over the one below it in its stack (or the store's). */
interface Layer {
  readonly ticket: Ticket;
  readonly state: { readonly version: number };
}

const KIND_OF_STREAM: ReadonlyMap<string, AggregateKind> = new Map(AGGREGATE_KINDS.flatMap((kind) => kind.streamTypes.map((t) => [t, kind] as const)));

/**
 * The leader's view of the aggregates: the store's states (every planned slot) with what it
 * proposed and has not applied yet on top, so a command on a stream is decided while the one
 * before it is still in its round (ARCHITECTURE.md, write path step 3). That is safe because a
 * command carries the stream versions it was decided against, and applying refuses it, alike on
 * every node, when they do not hold: a command decided on a proposal that is then not chosen is
 * refused when applied and decided again. A refusal the caller is answered at once (not recorded
 * in the log) must not rest on a state that may never be, nor may a decision that read a proposed
 * state its stream versions do not name: `reading` tells which it read, and `settledAll` waits for
 * those proposals first.
 *
 * Each aggregate has a stack of proposed states. A proposal that applied leaves its layer (the
 * store now holds it); one that did not takes the layers above it along (they were built on it).
 * Cross-aggregate reads (open sagas, a class's students) are the store's: the commands that rely
 * on them hold their stream locks for the whole round.
 */
export class ProposedStates extends TypedAggregateReads {
  private readonly stacks = new Map<string, Layer[]>();
  /** While `reading` runs: the aggregates read from a proposed layer. */
  private layeredReads: Set<string> | undefined;

  constructor(private readonly store: AggregateStore) {
    super();
  }

  get(kindName: string, id: string): { readonly version: number } {
    const key = `${kindName}/${id}`;
    const stack = this.stacks.get(key);
    if (stack === undefined) return this.store.get(kindName, id);
    this.layeredReads?.add(key);
    return stack[stack.length - 1].state;
  }

  /**
   * Runs a decision (synchronous), and tells which aggregates it read from proposed layers rather
   * than from the store.
   */
  reading<T>(decide: () => T): { readonly value: T; readonly layered: readonly string[] } {
    const outer = this.layeredReads;
    const layered = new Set<string>();
    this.layeredReads = layered;
    try {
      return { value: decide(), layered: [...layered] };
    } finally {
      this.layeredReads = outer;
    }
  }

  /**
   * The aggregates of `layered` that no stream of `expected` (`streamType/streamId` -> version)
   * names: a decision that read them on a proposed state is not checked against them when it
   * applies, so it must not be proposed before they applied.
   */
  unchecked(layered: readonly string[], expected: Readonly<Record<string, number>>): string[] {
    const checked = new Set(Object.keys(expected).map(aggregateKeyOf));
    return layered.filter((key) => !checked.has(key));
  }

  openSagas(): SagaState[] {
    return this.store.openSagas();
  }

  activeStudentIds(className: string | null): string[] {
    return this.store.activeStudentIds(className);
  }

  /** Aggregates with a proposed state on top of the store's. */
  get size(): number {
    return this.stacks.size;
  }

  /**
   * Puts the states `events` lead to on top (call right before proposing them, in the same turn
   * as the decision). Every aggregate they move must be readable (hot, or prefetched).
   */
  propose(events: readonly DomainEvent[]): ProposedTicket {
    let resolve!: () => void;
    const settled = new Promise<void>((r) => (resolve = r));
    const next = new Map<string, { readonly version: number }>();
    const unread = new Set<string>();
    for (const event of events) {
      const kind = KIND_OF_STREAM.get(event.streamType);
      if (kind === undefined) continue;
      const key = aggregateKeyOf(`${event.streamType}/${event.streamId}`);
      if (unread.has(key)) continue;
      let from = next.get(key);
      try {
        from ??= this.get(kind.name, key.slice(kind.name.length + 1));
      } catch (error) {
        // Not in memory (a bug of the caller's prefetch): no layer, so decisions read the store's
        // state, and the versions refuse what that misses when it applies.
        if (!(error instanceof AggregateNotLoadedError)) throw error;
        unread.add(key);
        continue;
      }
      next.set(key, kind.evolve(from, event));
    }
    const ticket: Ticket = { keys: [...next.keys()], settled, resolve };
    for (const [key, state] of next) {
      const stack = this.stacks.get(key) ?? [];
      stack.push({ ticket, state });
      this.stacks.set(key, stack);
    }
    return ticket;
  }

  /**
   * The proposal's outcome is known (call once the store holds what applied): its layers go, and
   * when it did not apply, so do the layers built on it.
   */
  settle(proposed: ProposedTicket, applied: boolean): void {
    const ticket = proposed as Ticket;
    for (const key of ticket.keys) {
      const stack = this.stacks.get(key);
      if (stack === undefined) continue;
      const at = stack.findIndex((layer) => layer.ticket === ticket);
      if (at < 0) continue;
      stack.splice(at, applied ? 1 : stack.length - at);
      if (stack.length === 0) this.stacks.delete(key);
    }
    ticket.resolve();
  }

  /**
   * Resolves once every proposal under the states of `aggregates` (`kind/id`) now has settled, or
   * undefined when none is under a proposal.
   */
  settledAll(aggregates: readonly string[]): Promise<void> | undefined {
    const waits: Promise<void>[] = [];
    for (const key of aggregates) for (const layer of this.stacks.get(key) ?? []) waits.push(layer.ticket.settled);
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }
}

/** The aggregate (`kind/id`) a stream (`streamType/streamId`) belongs to; the stream itself when no kind folds it. */
function aggregateKeyOf(streamKey: string): string {
  const slash = streamKey.indexOf('/');
  const kind = KIND_OF_STREAM.get(streamKey.slice(0, slash));
  if (kind === undefined) return streamKey;
  return `${kind.name}/${kind.idOf({ stream_type: streamKey.slice(0, slash), stream_id: streamKey.slice(slash + 1) })}`;
}
