import type { ClientValue, ProposeResult } from '../consensus';
import type { CommandOutcome } from '../infra/mysql/command-record';
import { NoQuorumError, UnknownOutcomeError } from './proposal-errors';

/** What the proposal service needs from the node: the driver and the applied-outcome feed. */
export interface ProposalPort {
  propose(values: readonly ClientValue[]): ProposeResult;
  /** The first outcome of a command id, when this node remembers it without a query. */
  recentOutcome(commandId: string): CommandOutcome | undefined;
  onApplied(listener: (outcomes: readonly CommandOutcome[]) => void): void;
  /** True when this node currently sees a leader that hears from a quorum. */
  hasQuorum(): boolean;
}

/** Timing of one proposal; every wait is bounded. */
export interface ProposalTimings {
  /** Fail with "no quorum" when no leader with a quorum is seen for this long. */
  noQuorumMs: number;
  /** Give up (outcome unknown) after this long. */
  timeoutMs: number;
  /** Offer the value again this often while waiting: a forwarded value may be lost. */
  resendMs: number;
}

interface Waiter {
  resolve: (outcome: CommandOutcome) => void;
}

const WAITERS_MAX = 100_000;

/**
 * Proposes a command and answers when it is chosen and applied on this node, with its first
 * outcome: a repeated command id returns the outcome of its first application, for ever.
 */
export class ProposalService {
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(
    private readonly port: ProposalPort,
    private readonly timings: ProposalTimings,
  ) {
    port.onApplied((outcomes) => this.onApplied(outcomes));
  }

  /**
   * Resolves with the command's outcome once applied here.
   * @throws NoQuorumError when no leader with a quorum shows up within `noQuorumMs`
   * @throws UnknownOutcomeError when the command is not applied within `timeoutMs`
   */
  async propose(value: ClientValue): Promise<CommandOutcome> {
    // Only the in-memory cache is asked: applying dedupes every id against the database anyway,
    // and a query per proposal would queue on the pool under load.
    const known = this.port.recentOutcome(value.id);
    if (known) return { ...known, duplicate: true };
    if (this.waiters.size >= WAITERS_MAX) throw new NoQuorumError(1);
    return new Promise<CommandOutcome>((resolve, reject) => {
      const started = Date.now();
      let lastQuorum = started;
      const list = this.waiters.get(value.id) ?? [];
      const waiter: Waiter = { resolve: (o) => finish(() => resolve(o)) };
      list.push(waiter);
      this.waiters.set(value.id, list);
      const offer = () => {
        const result = this.port.propose([value]);
        const now = Date.now();
        if ((result.status === 'queued' || result.status === 'forwarded') && this.port.hasQuorum()) lastQuorum = now;
        if (now - lastQuorum >= this.timings.noQuorumMs) return finish(() => reject(new NoQuorumError(1)));
        if (now - started >= this.timings.timeoutMs) return finish(() => reject(new UnknownOutcomeError(value.id)));
      };
      const timer = setInterval(offer, Math.min(this.timings.resendMs, this.timings.noQuorumMs / 4));
      const finish = (settle: () => void) => {
        clearInterval(timer);
        this.removeWaiter(value.id, waiter);
        settle();
      };
      offer();
    });
  }

  private onApplied(outcomes: readonly CommandOutcome[]): void {
    for (const outcome of outcomes) {
      const list = this.waiters.get(outcome.commandId);
      if (!list) continue;
      this.waiters.delete(outcome.commandId);
      for (const w of list) w.resolve(outcome);
    }
  }

  private removeWaiter(id: string, waiter: Waiter): void {
    const list = this.waiters.get(id);
    if (!list) return;
    const rest = list.filter((w) => w !== waiter);
    if (rest.length > 0) this.waiters.set(id, rest);
    else this.waiters.delete(id);
  }
}
