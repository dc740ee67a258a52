import type { Actor, DomainError } from '../domain';
import type { ApiCommand, CommandGateway } from './command-gateway';
import { DomainRefusal } from './domain-refusal';
import { failStopOnAssertion } from '../shared/fail-stop';
import { IdempotencyKeyReusedError, assertSameRequest, requestHashOf } from './idempotency';

/** Where queued commands are kept (MysqlCommandQueueStore serves). */
export interface CommandQueueStore {
  enqueue(commandId: string, command: ApiCommand, actor: Actor): Promise<boolean>;
  waiting(limit: number): Promise<{ commandId: string; command: ApiCommand; actor: Actor }[]>;
  get(commandId: string): Promise<{ command: ApiCommand; actor: Actor; refusal: DomainError | null } | undefined>;
  countAttempt(commandId: string): Promise<void>;
  /** Keeps a command refused outside the log (its key's log entry is another request's). */
  reject(commandId: string, refusal: DomainError): Promise<void>;
  remove(commandId: string): Promise<void>;
  /** Commands still waiting to be proposed (the queue's depth, a metric). */
  countWaiting(): Promise<number>;
}

/** A command in the queue: still waiting, or refused without a log entry. */
export type QueuedCommand = { state: 'waiting'; actor: Actor } | { state: 'refused'; actor: Actor; refusal: DomainError };

/** What `Prefer: respond-async` needs of the queue. */
export interface AsyncCommands {
  /**
   * Queues a write durably under its command id (scoped to its actor); it is proposed once the node
   * counts on a quorum. The same id queued again with the same request is a no-op.
   * @throws IdempotencyKeyReusedError when the id is queued, or in this node's log, with another request
   */
  enqueue(commandId: string, command: ApiCommand, actor: Actor): Promise<void>;
  /** The queue's view of a command: still waiting, refused without a log entry, or unknown here. */
  queued(commandId: string): Promise<QueuedCommand | undefined>;
}

/** Commands one drain round proposes at most. */
const QUEUE_DRAIN_BATCH_MAX = 32;
/** Pause between drain rounds while commands may wait (and while there is no quorum). */
const DRAIN_EVERY_MS = 200;
/** Pause of a queue known to be empty: only `enqueue` fills it, and it wakes the loop at once. */
export const DRAIN_IDLE_MS = 10_000;

/**
 * Writes taken with `Prefer: respond-async`: stored in MySQL before the 202, proposed through the
 * command gateway under their command id once the node counts on a quorum (their actor checked
 * again then: still there, enabled, same role), and dropped from the queue once their outcome is
 * final, a refusal included (the log records it). The command id (the caller's Idempotency-Key
 * scoped to them) is the proposal's, so a command proposed twice (a crash between the outcome and
 * the delete, a 503 whose value a later leader still chose) is applied once.
 */
export class AsyncCommandQueue implements AsyncCommands {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** Enqueues so far; with `emptyAt`, lets a drain skip its query while nothing was queued since the queue was seen empty. */
  private enqueued = 0;
  /** The value of `enqueued` when a drain last found the queue empty (-1: not known, as at start). */
  private emptyAt = -1;

  constructor(
    private readonly store: CommandQueueStore,
    private readonly gateway: CommandGateway,
    private readonly hasQuorum: () => boolean,
    private readonly log: (level: 'info' | 'warn', message: string) => void,
    /** The first outcome the log holds for a command id on this node, if any (its request digest is checked at enqueue). */
    private readonly outcomeOf: (commandId: string) => Promise<{ readonly requestHash?: string } | undefined> = () => Promise.resolve(undefined),
  ) {}

  async enqueue(commandId: string, command: ApiCommand, actor: Actor): Promise<void> {
    const applied = await this.outcomeOf(commandId);
    if (applied) assertSameRequest(applied, requestHashOf(command));
    if (!(await this.store.enqueue(commandId, command, actor))) {
      const queued = await this.store.get(commandId);
      if (queued && requestHashOf(queued.command) !== requestHashOf(command)) throw new IdempotencyKeyReusedError();
      // Drained between the two: its row goes once its outcome is final, so the log holds it now.
      const drained = queued ? undefined : await this.outcomeOf(commandId);
      if (drained) assertSameRequest(drained, requestHashOf(command));
    } else {
      // The key's first command may have been drained and applied between the check above and this
      // row: look again, and take the row back when the log holds another request under the key.
      const appliedSince = await this.outcomeOf(commandId);
      if (appliedSince && appliedSince.requestHash !== undefined && appliedSince.requestHash !== requestHashOf(command)) {
        await this.store.remove(commandId);
        throw new IdempotencyKeyReusedError();
      }
    }
    this.enqueued += 1;
    this.wake?.();
  }

  async queued(commandId: string): ReturnType<AsyncCommands['queued']> {
    const row = await this.store.get(commandId);
    if (!row) return undefined;
    return row.refusal ? { state: 'refused', actor: row.actor, refusal: row.refusal } : { state: 'waiting', actor: row.actor };
  }

  /** Commands still waiting to be proposed. */
  depth(): Promise<number> {
    return this.store.countWaiting();
  }

  /** Starts the drain loop (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          if (this.hasQuorum()) await this.drainOnce();
        } catch (error) {
          if (failStopOnAssertion('command queue', error)) return;
          this.log('warn', `command queue: ${error instanceof Error ? error.message : String(error)}`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.emptyAt === this.enqueued ? DRAIN_IDLE_MS : DRAIN_EVERY_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /**
   * Proposes the waiting commands, oldest first, concurrently; returns how many reached a final
   * outcome. A command that meets no quorum or an unknown outcome stays queued for the next round.
   */
  async drainOnce(): Promise<number> {
    if (this.emptyAt === this.enqueued) return 0; // this node alone fills its queue: nothing new since it was empty
    const seen = this.enqueued;
    const waiting = await this.store.waiting(QUEUE_DRAIN_BATCH_MAX);
    if (waiting.length === 0) {
      this.emptyAt = seen;
      return 0;
    }
    const done = await Promise.all(waiting.map((q) => this.proposeOne(q.commandId, q.command, q.actor)));
    return done.filter(Boolean).length;
  }

  /**
   * Proposes one command as queued (the leader checks its actor again and records any refusal in
   * the log), and drops its row once the outcome is final: applied or refused, the log answers
   * its status from then on.
   */
  private async proposeOne(commandId: string, command: ApiCommand, actor: Actor): Promise<boolean> {
    await this.store.countAttempt(commandId);
    try {
      await this.gateway.executeAs(command, actor, commandId, { source: 'queue', queued: true });
    } catch (error) {
      if (!(error instanceof DomainRefusal)) return false;
      // The key's command in the log is another request: this one is refused, apart from the log's answer.
      if (error instanceof IdempotencyKeyReusedError) {
        await this.store.reject(commandId, error.error);
        return true;
      }
    }
    await this.store.remove(commandId);
    return true;
  }
}
