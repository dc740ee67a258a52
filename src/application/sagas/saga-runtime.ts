import type { Actor, ScoreRules } from '../../domain';
import {
  type ArchivedStudent,
  type ExternalAnswer,
  type SagaCommand,
  type SagaState,
  type SagaWorld,
  decideSaga,
  runSagaCommand,
  sagaCommandStreams,
} from '../../sagas';
import type { AggregateStore } from '../aggregate-store';
import { attemptId, type CommandService } from '../command-service';
import { failStopOnAssertion } from '../../shared/fail-stop';

/** The archive as the student-records service receives it. */
export interface ArchivePayload {
  readonly archiveId: string;
  readonly semester: string;
  readonly className: string | null;
  readonly students: readonly ArchivedStudent[];
}

/** What the runtime needs of the node. */
export interface SagaRuntimePorts {
  /** True when this node leads and its states include every slot it recovered. */
  isReadyLeader(): boolean;
  /** Epoch milliseconds: the time the leader decides steps and deadlines with. */
  now(): number;
  /** Hands the archive to the records service; null when no answer came within `timeoutMs`. */
  storeArchive(archive: ArchivePayload, timeoutMs: number): Promise<ExternalAnswer | null>;
  log(level: 'info' | 'warn', message: string): void;
}

/** How the runtime paces itself. */
export interface SagaRuntimeOptions {
  /** How often the leader looks for open sagas to drive while there are some. */
  readonly tickMs: number;
  /**
   * How often it looks when it leads no open saga (default SAGA_IDLE_MS): only a safety net, as
   * `wake` is called on every written batch and every role change.
   */
  readonly idleMs?: number;
  /** A pause after each step (0: none); spreads a saga's load, and lets tests act mid-saga. */
  readonly stepDelayMs: number;
  /** The configured score range the steps' score changes are decided with. */
  readonly scoreRules?: ScoreRules;
}

/** Steps one drive of a saga takes before it yields to the next tick. */
const STEPS_PER_DRIVE_MAX = 1000;
/** Sagas driven at once, at most. */
const SAGAS_DRIVEN_MAX = 16;
/** The safety-net look of a runtime with no open saga to drive; events and role changes wake it sooner. */
export const SAGA_IDLE_MS = 5000;

/**
 * Drives every open saga on the leader: asks the workflow for the next command, turns it into one
 * log entry on current state and proposes it under the command id the workflow derived (a
 * decision that met a moved stream is decided again under `<id>#<n>`). Every node folds the saga
 * streams, so after a leader change the new leader's first tick resumes each saga where the log
 * says it is; a step the old leader proposed and the new one proposes again applies once (same
 * command id, and the saga stream's expected version).
 */
export class SagaRuntime {
  private readonly driving = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private timerMs = -1;
  private running = false;
  private lookCount = 0;

  constructor(
    private readonly states: AggregateStore,
    private readonly commands: CommandService,
    private readonly ports: SagaRuntimePorts,
    private readonly options: SagaRuntimeOptions,
  ) {}

  /** Starts looking for open sagas: every `tickMs` while there are some, else on `wake` (or `idleMs`). */
  start(): void {
    this.running = true;
    this.schedule(0);
  }

  /** Stops looking; a step under way finishes (or fails) on its own. */
  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Looks at once: events were written or the role changed (either can open or resume a saga). */
  wake(): void {
    if (!this.running || this.timerMs === 0) return;
    this.schedule(0);
  }

  /** Timer callbacks run so far (for tests of the idle cost). */
  get looks(): number {
    return this.lookCount;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerMs = ms;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lookCount += 1;
      this.tick();
      if (!this.running) return;
      const busy = this.leading && (this.driving.size > 0 || this.states.openSagas().length > 0);
      this.schedule(busy ? this.options.tickMs : (this.options.idleMs ?? SAGA_IDLE_MS));
    }, ms);
    this.timer.unref();
  }

  /** Sagas waiting for an operator (for the cluster status). */
  needingOperator(): { sagaId: string; step: string; reason: string }[] {
    return this.states
      .openSagas()
      .filter((s) => s.needsOperator !== null)
      .map((s) => ({ sagaId: s.sagaId, step: s.needsOperator!.step, reason: s.needsOperator!.reasons.map((r) => r.message).join('; ') }));
  }

  private tick(): void {
    const leading = this.ports.isReadyLeader();
    if (leading !== this.leading) this.onLeadership(leading);
    if (!leading) return;
    for (const saga of this.states.openSagas()) {
      if (this.driving.size >= SAGAS_DRIVEN_MAX) return;
      if (saga.needsOperator !== null || this.driving.has(saga.sagaId)) continue;
      this.driving.add(saga.sagaId);
      void this.drive(saga.sagaId).finally(() => this.driving.delete(saga.sagaId));
    }
  }

  /** A new leader resumes every open saga from the log; attempt counters of an earlier term are stale. */
  private onLeadership(leading: boolean): void {
    this.leading = leading;
    this.attempts.clear();
    const open = this.states.openSagas();
    if (leading && open.length > 0) this.ports.log('info', `leading: resuming ${open.length} open saga(s): ${open.map((s) => s.sagaId).join(', ')}`);
  }

  private async drive(sagaId: string): Promise<void> {
    try {
      for (let i = 0; i < STEPS_PER_DRIVE_MAX && this.ports.isReadyLeader(); i++) {
        if (!(await this.step(sagaId))) return;
        if (this.options.stepDelayMs > 0) await new Promise((r) => setTimeout(r, this.options.stepDelayMs));
      }
    } catch (error) {
      if (failStopOnAssertion(`saga ${sagaId}`, error)) return;
      this.ports.log('warn', `saga ${sagaId}: ${error instanceof Error ? error.message : String(error)} (resumed at the next tick)`);
    }
  }

  /** Takes one step; false when the saga has nothing to do now. */
  private async step(sagaId: string): Promise<boolean> {
    // A saga that just ended is cold: it may have left memory (and may leave it again once released).
    const release = await this.states.prefetch([`saga/${sagaId}`]);
    let state: SagaState;
    try {
      state = this.states.saga(sagaId);
    } finally {
      release();
    }
    let command = decideSaga(state, this.ports.now());
    if (command === null) return false;
    let answer: ExternalAnswer | undefined;
    if (command.type === 'AwaitExternalStep') {
      const got = await this.callExternal(state, command.deadline);
      if (got === null) command = { type: 'TimeOutStep', commandId: command.commandId, step: command.step };
      else answer = got;
    }
    const world = (): SagaWorld => ({ student: (id) => this.states.student(id), now: this.ports.now(), rules: this.options.scoreRules });
    const id = attemptId(command.commandId, this.attempts.get(command.commandId) ?? 1);
    const decided = command;
    // The saga state is the one decided on: if it moved meanwhile, its expected version rejects the entry.
    const outcome = await this.commands.proposeEntry(
      id,
      sagaCommandStreams(state, decided),
      () => runSagaCommand(state, decided, world(), answer),
      state.actor as Actor,
      sagaId,
    );
    if (outcome.status !== 'applied') this.attempts.set(command.commandId, (this.attempts.get(command.commandId) ?? 1) + 1);
    else this.attempts.delete(command.commandId);
    logStep(this.ports, sagaId, command, outcome.status);
    return true;
  }

  /** Asks the records service until it answers or the deadline (from the log) passes; null past it. */
  private async callExternal(state: SagaState, deadline: string): Promise<ExternalAnswer | null> {
    const input = state.input;
    if (input?.kind !== 'archive') return { ok: false, message: 'only an archive stores anything outside the cluster' };
    const payload: ArchivePayload = { archiveId: state.sagaId, semester: input.semester, className: input.className, students: state.snapshot };
    const end = Date.parse(deadline);
    for (let i = 0; i < 10_000; i++) {
      const left = end - this.ports.now();
      if (left <= 0) return null;
      const answer = await this.ports.storeArchive(payload, left);
      if (answer !== null) return answer;
    }
    return null;
  }
}

function logStep(ports: SagaRuntimePorts, sagaId: string, command: SagaCommand, status: string): void {
  if (command.type === 'RunStep' || command.type === 'CompensateStep') return;
  ports.log('info', `saga ${sagaId}: ${command.type}${'step' in command ? ` ${command.step}` : ''} ${status}`);
}
