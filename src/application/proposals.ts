import type { ClientValue, ProposeResult } from '../consensus';
import type { CommandOutcome } from './command-log';
import { NoQuorumError, UnknownOutcomeError } from './proposal-errors';

/** What the proposal service needs from the node: the driver and the outcome feed. */
export interface ProposalPort {
  propose(values: readonly ClientValue[]): ProposeResult;
  /** The first outcome of a command id, when this node remembers it without a query. */
  recentOutcome(commandId: string): CommandOutcome | undefined;
  /** Calls back with outcomes as soon as they are final, in slot order. */
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

interface Waiting {
  readonly value: ClientValue;
  readonly started: number;
  lastQuorum: number;
  lastOffer: number;
  readonly settle: { resolve: (o: CommandOutcome) => void; reject: (e: Error) => void }[];
}

/** Proposals waiting at once, at most; past it new ones are refused as overload (503). */
export const WAITING_MAX = 100_000;

/**
 * Proposes commands and answers each when it is chosen and its outcome is final, with its
 * first outcome: a repeated command id returns the outcome of its first application, for
 * ever. One timer sweeps every waiting proposal: it offers again those that may have been
 * lost and fails those past their deadline.
 */
export class ProposalService {
  private readonly waiting = new Map<string, Waiting>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly port: ProposalPort,
    private readonly timings: ProposalTimings,
    private readonly now: () => number = Date.now,
  ) {
    port.onApplied((outcomes) => this.onApplied(outcomes));
  }

  /**
   * Resolves with the command's outcome once it is final.
   * @throws NoQuorumError when no leader with a quorum shows up within `noQuorumMs`
   * @throws UnknownOutcomeError when the command is not decided within `timeoutMs`
   */
  propose(value: ClientValue): Promise<CommandOutcome> {
    // Only memory is asked: applying dedupes every id against the database anyway, and a
    // query per proposal would queue on the pool under load.
    const known = this.port.recentOutcome(value.id);
    if (known) return Promise.resolve({ ...known, duplicate: true });
    return new Promise<CommandOutcome>((resolve, reject) => {
      const existing = this.waiting.get(value.id);
      if (existing) return void existing.settle.push({ resolve, reject });
      if (this.waiting.size >= WAITING_MAX) return reject(new NoQuorumError(1));
      const now = this.now();
      const entry: Waiting = { value, started: now, lastQuorum: now, lastOffer: now, settle: [{ resolve, reject }] };
      this.waiting.set(value.id, entry);
      this.offer(entry, now);
      this.ensureTimer();
    });
  }

  /** The first outcome of a command id this node remembers without a query. */
  remembered(commandId: string): CommandOutcome | undefined {
    return this.port.recentOutcome(commandId);
  }

  /** True while this node waits for the command's outcome. */
  isWaiting(commandId: string): boolean {
    return this.waiting.has(commandId);
  }

  /** Proposals waiting now. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** Stops the sweep; waiting proposals fail as unknown. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const [id, entry] of this.waiting) this.finish(id, entry, new UnknownOutcomeError(id));
  }

  /** Proposes only while a quorum is seen: a value handed to a cut-off leader may linger in its log. */
  private offer(entry: Waiting, now: number): void {
    if (!this.port.hasQuorum()) return;
    entry.lastOffer = now;
    entry.lastQuorum = now;
    this.port.propose([entry.value]);
  }

  private sweep(): void {
    const now = this.now();
    const quorum = this.port.hasQuorum();
    for (const [id, entry] of this.waiting) {
      if (quorum) entry.lastQuorum = now;
      if (now - entry.lastQuorum >= this.timings.noQuorumMs) this.finish(id, entry, new NoQuorumError(1));
      else if (now - entry.started >= this.timings.timeoutMs) this.finish(id, entry, new UnknownOutcomeError(id));
      else if (quorum && now - entry.lastOffer >= this.timings.resendMs) this.offer(entry, now);
    }
    if (this.waiting.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), Math.max(10, Math.min(this.timings.resendMs, this.timings.noQuorumMs / 8)));
    this.timer.unref?.();
  }

  private onApplied(outcomes: readonly CommandOutcome[]): void {
    for (const outcome of outcomes) {
      const entry = this.waiting.get(outcome.commandId);
      if (!entry) continue;
      this.waiting.delete(outcome.commandId);
      for (const s of entry.settle) s.resolve(outcome);
    }
  }

  private finish(id: string, entry: Waiting, error: Error): void {
    this.waiting.delete(id);
    for (const s of entry.settle) s.reject(error);
  }
}
