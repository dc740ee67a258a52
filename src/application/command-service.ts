import { randomUUID } from 'node:crypto';
import { type Actor, type DomainError, type ScoreRules, type UserState, DEFAULT_SCORE_RULES, isDomainError, previousVersionOf } from '../domain';
import type { CommandOutcome, CommandRecord, EventDraft } from './command-log';
import type { SagaSettings } from '../sagas';
import type { AggregateReads, AggregateStore } from './aggregate-store';
import { ProposedStates, type ProposedTicket } from './proposed-states';
import type { ApiCommand, CommandAnswer, CommandGateway, ExecuteOptions } from './command-gateway';
import { decideApiCommand, derivedId } from './decide-api-command';
import { DomainRefusal } from './domain-refusal';
import { assertSameRequest, legacyCommandId, requestHashOf, scopedCommandId } from './idempotency';
import type { ProposalService } from './proposals';
import { NoQuorumError } from './proposal-errors';
import { NO_WRITE_OBSERVER, type WriteObserver, observeWrite } from './write-metrics';

/** What the command service needs of the node besides its proposal service. */
export interface CommandNode {
  /** True when this node leads and has planned every slot it recovered (decisions see current state). */
  isReadyLeader(): boolean;
  /** True when this node counts on a quorum now (it leads one, or follows a leader it hears). */
  hasQuorum(): boolean;
  /**
   * Hands the command to the leader and returns its answer, or null when there is no leader to ask.
   * `options.requestId` goes with it, so the leader's log names the request.
   */
  forward(command: ApiCommand, actor: Actor, commandId: string, options?: ExecuteOptions): Promise<CommandAnswer | null>;
  hashPassword(password: string): Promise<string>;
  now(): string;
  /** The node's saga limits (defaults when absent). */
  readonly sagaSettings?: SagaSettings;
  /** True while the cluster may still run the previous release: events are written in the versions it reads. */
  readonly writePreviousEventSchemas?: boolean;
}

/**
 * Commands that read across aggregates (open sagas, a class's students), which proposed states
 * do not cover: they hold their streams' locks until they apply.
 */
const LOCKED_FOR_THE_ROUND: ReadonlySet<ApiCommand['name']> = new Set(['scores.batch', 'archives.start']);

/** Times a command is decided again when the stream it read moved before it applied. */
export const DECIDE_ATTEMPTS_MAX = 8;

/**
 * The id a command is proposed under at its `attempt`-th decision: the first is the command id
 * itself; each decision refused because its streams moved is followed by `<id>#<n>`.
 */
export function attemptId(commandId: string, attempt: number): string {
  return attempt <= 1 ? commandId : `${commandId}#${attempt - 1}`;
}

/**
 * Refusals the leader records in the log under the command id: those that depend on state, so
 * that a retry (with any body) answers the first refusal for ever, as it answers the first
 * success. Invalid input and a role the command does not allow depend on the request alone and
 * are answered without a log entry, like the API's own validation and auth errors.
 */
const RECORDED_REFUSALS: ReadonlySet<DomainError['code']> = new Set(['not-found', 'conflict', 'rule-broken']);
/** How long a leader waits to have planned the slots it recovered before it decides. */
const READY_WAIT_MS = 2000;
/**
 * Within that wait, how long a node that counts on no quorum at all keeps waiting for one (an
 * election takes 300..600 ms): past it the write answers 503 at once, so a node cut off from its
 * peers answers within the API's bound instead of after the whole READY_WAIT_MS.
 */
const NO_QUORUM_WAIT_MS = 1000;

/**
 * Runs API commands through the log (ARCHITECTURE.md, write path): a follower hands them to the
 * leader; the leader decides against current state, one command at a time per stream, and
 * proposes the events with the stream versions it read; applying refuses a command whose streams
 * moved, and the leader decides it again. The command id makes every retry apply once. A refusal
 * that depends on state is proposed too, as an event-less record under the command id, so a
 * retry gets the first refusal as it would get the first success.
 */
export class CommandService implements CommandGateway {
  private readonly streamLocks = new Map<string, Promise<unknown>>();
  /** The aggregates as this node decides on them: with what it proposed and has not applied yet on top. */
  readonly proposed: ProposedStates;

  constructor(
    private readonly node: CommandNode,
    private readonly states: AggregateStore,
    private readonly proposals: ProposalService,
    private readonly scoreRules: ScoreRules = DEFAULT_SCORE_RULES,
    /** Told of every write's latency and failure (the node's metrics). */
    private readonly observer: WriteObserver = NO_WRITE_OBSERVER,
  ) {
    this.proposed = new ProposedStates(states);
  }

  /** Every write of the API: measured here, on the node it arrived at, from arrival to answer. */
  async execute(command: ApiCommand, actor: Actor, idempotencyKey?: string, options: ExecuteOptions = {}): Promise<CommandAnswer> {
    if (idempotencyKey === undefined) return this.executeAs(command, actor, randomUUID(), options);
    const legacy = legacyCommandId(idempotencyKey);
    // While the previous release may run, a key names the command as it does there (see legacyCommandId).
    if (legacy !== null && this.node.writePreviousEventSchemas === true) return this.executeAs(command, actor, legacy, options);
    // Just after such an upgrade, a retry of a key first sent then finds its first outcome under that id.
    const earlier = legacy === null ? undefined : this.proposals.remembered(legacy);
    if (earlier !== undefined && isFinal(earlier) && earlier.requestHash !== undefined && earlier.requestHash === requestHashOf(command)) {
      return answerOf(earlier, true);
    }
    return this.executeAs(command, actor, scopedCommandId(actor.username, idempotencyKey), options);
  }

  executeAs(command: ApiCommand, actor: Actor, commandId: string, options: ExecuteOptions = {}): Promise<CommandAnswer> {
    return observeWrite(this.observer, options.source ?? 'system', command.name, () => this.run(command, actor, commandId, options));
  }

  private async run(command: ApiCommand, actor: Actor, commandId: string, options: ExecuteOptions): Promise<CommandAnswer> {
    const known = this.proposals.remembered(commandId);
    if (known && isFinal(known)) {
      assertSameRequest(known, requestHashOf(command));
      return answerOf(known, true);
    }
    if (!this.node.isReadyLeader()) {
      const answer = await this.node.forward(command, actor, commandId, options);
      if (answer) return answer;
    }
    return this.decideHere(command, actor, commandId, options);
  }

  /**
   * Decides and proposes on this node (the leader, or any node when no leader answers). The
   * streams' locks are held while the command is decided and proposed, not for its whole round:
   * the next command on a stream decides against what this one proposed (ProposedStates), and
   * applying refuses it if that proposal is not chosen after all, so it is decided again. The
   * commands that read across aggregates (a batch or an archive start: open sagas, a class's
   * students) hold their locks until they apply.
   */
  async decideHere(command: ApiCommand, actor: Actor, commandId: string, options: ExecuteOptions = {}): Promise<CommandAnswer> {
    const passwordHash = command.name === 'users.create' || command.name === 'users.password' ? await this.node.hashPassword(command.data.password) : undefined;
    const requestHash = requestHashOf(command);
    await this.waitUntilReady();
    for (let attempt = 1; ; attempt++) {
      const id = attemptId(commandId, attempt);
      const streams = await this.streamsToLock(command);
      const step = await this.withStreams(streams, async (): Promise<{ wait: Promise<void> } | { proposal: Promise<CommandOutcome> }> => {
        // Cold aggregates the decision reads are loaded before it, and stay until it is made.
        const reads = readsOf(command, streams, commandId, id);
        const release = await this.states.prefetch(reads);
        let ticket: ProposedTicket;
        let proposal: Promise<CommandOutcome>;
        try {
          const { value: decision, layered } = this.proposed.reading(() => this.decide(command, actor, commandId, id, options, passwordHash));
          // What the refusal was decided against: every stream it read (a new saga's own, not the lock `saga/new`).
          const refusalVersions = decision.ok ? {} : versionsOf(reads, this.proposed);
          // A queued command's status is read from the log once the queue drops it: record every refusal.
          const answeredNow = !decision.ok && !options.queued && !RECORDED_REFUSALS.has(decision.error.code);
          // Never answer, nor propose unchecked, what rests on a proposal that may not be chosen: let it apply first.
          const unsure = answeredNow ? layered : this.proposed.unchecked(layered, decision.ok ? decision.decided.expected : refusalVersions);
          const wait = this.proposed.settledAll(unsure);
          if (wait !== undefined) return { wait };
          if (!decision.ok && answeredNow) throw new DomainRefusal(decision.error);
          const metadata = { actor: { username: actor.username, role: actor.role }, correlationId: commandId, causationId: commandId, decidedAt: this.node.now(), requestHash };
          const record: CommandRecord = decision.ok
            ? { events: this.eventsToWrite(decision.decided.events), expected: decision.decided.expected, metadata, result: decision.decided.result }
            : { events: [], expected: refusalVersions, metadata, refusal: decision.error };
          // Folded while what it moves is still loaded; proposed in the same turn, so the layers and the log's order agree.
          ticket = this.proposed.propose(decision.ok ? decision.decided.events : []);
          proposal = this.proposals.propose({ id, payload: JSON.stringify(record) });
        } finally {
          release();
        }
        proposal.then(
          (outcome) => this.proposed.settle(ticket, outcome.status === 'applied' && outcome.duplicate !== true),
          () => this.proposed.settle(ticket, false),
        );
        if (!LOCKED_FOR_THE_ROUND.has(command.name)) return { proposal };
        await proposal.catch(() => undefined);
        return { proposal };
      });
      if ('wait' in step) {
        await step.wait;
        if (attempt >= DECIDE_ATTEMPTS_MAX) throw new DomainRefusal({ code: 'conflict', message: 'the command kept meeting concurrent changes' });
        continue;
      }
      const outcome = await step.proposal;
      if (isFinal(outcome)) {
        if (outcome.duplicate) assertSameRequest(outcome, requestHash);
        return answerOf(outcome, outcome.duplicate ?? false);
      }
      if (attempt >= DECIDE_ATTEMPTS_MAX) {
        throw new DomainRefusal({ code: 'conflict', message: `the command kept meeting concurrent changes: ${outcome.reason}` });
      }
      // The stream moved between deciding and applying (a proposal it read was not chosen, or a leader change): decide on what applied.
    }
  }

  /** The streams `command` locks; a closed application names its student only once loaded, so it is loaded (and kept) until they are known. */
  private async streamsToLock(command: ApiCommand): Promise<string[]> {
    if (command.name !== 'applications.review') return streamsOf(command, this.states);
    const release = await this.states.prefetch([`application/${command.data.applicationId}`]);
    try {
      return streamsOf(command, this.proposed);
    } finally {
      release();
    }
  }

  /** Decides on the states in memory (synchronous: nothing moves them meanwhile). */
  private decide(command: ApiCommand, actor: Actor, commandId: string, id: string, options: ExecuteOptions, passwordHash: string | undefined): Decision {
    const actorRefusal = options.queued ? refusalOfStaleActor(actor, this.proposed.user(actor.username)) : null;
    return actorRefusal
      ? { ok: false, error: actorRefusal }
      : decideApiCommand(command, this.proposed, actor, this.node.now(), { command: commandId, attempt: id }, passwordHash, this.scoreRules, this.node.sagaSettings);
  }

  /**
   * Proposes one entry a saga decided under `commandId`, holding the locks of the streams it
   * expects (`decide` runs inside them, on current state), and resolves with its outcome: applied,
   * a duplicate of the id's first outcome, or rejected because a stream moved (the caller decides
   * again under another id).
   * @throws NoQuorumError when this node is not a ready leader, UnknownOutcomeError on timeout
   */
  async proposeEntry(
    commandId: string,
    keys: readonly string[],
    decide: () => { events: readonly EventDraft[]; expected: Readonly<Record<string, number>> },
    actor: Actor,
    correlationId: string,
  ): Promise<CommandOutcome> {
    const propose = () => {
      if (!this.node.isReadyLeader()) throw new NoQuorumError(1);
      return this.withStreams([...keys], async () => {
        const release = await this.states.prefetch(keys);
        let decided: ReturnType<typeof decide>;
        try {
          decided = decide();
        } finally {
          release();
        }
        const events = this.eventsToWrite(decided.events);
        const { expected } = decided;
        const metadata = { actor: { username: actor.username, role: actor.role }, correlationId, causationId: commandId, decidedAt: this.node.now() };
        const record: CommandRecord = { events, expected, metadata, result: {} };
        return this.proposals.propose({ id: commandId, payload: JSON.stringify(record) });
      });
    };
    return observeWrite(this.observer, 'saga', 'saga.step', async () => propose(), (outcome) => (outcome.status === 'applied' ? 'applied' : 'refused'));
  }

  /**
   * The events as the log gets them: as decided (each in its type's current schema version), or,
   * while the previous release may still read the log, in the versions it reads.
   * @throws DomainRefusal (invalid) when an event says what the previous release cannot read
   */
  private eventsToWrite<E extends EventDraft>(events: readonly E[]): readonly E[] {
    if (this.node.writePreviousEventSchemas !== true) return events;
    return events.map((event) => {
      const previous = previousVersionOf(event);
      if (previous === null) {
        throw new DomainRefusal({ code: 'invalid', message: `${event.type} cannot be written until every node runs this release` });
      }
      return previous;
    });
  }

  /** A new leader decides nothing until its states include every slot it recovered. */
  private async waitUntilReady(): Promise<void> {
    const started = Date.now();
    let quorumSeenAt = started;
    while (!this.node.isReadyLeader() && Date.now() - started < READY_WAIT_MS) {
      if (this.node.hasQuorum()) quorumSeenAt = Date.now();
      else if (Date.now() - quorumSeenAt >= NO_QUORUM_WAIT_MS) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    if (!this.node.isReadyLeader()) throw new NoQuorumError(1);
  }

  /** Runs `work` holding the locks of `keys` (in order, so two commands never wait on each other). */
  private async withStreams<T>(keys: string[], work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const previous = sorted.map((k) => this.streamLocks.get(k) ?? Promise.resolve());
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    for (const k of sorted) this.streamLocks.set(k, mine);
    await Promise.allSettled(previous);
    try {
      return await work();
    } finally {
      release();
      for (const k of sorted) if (this.streamLocks.get(k) === mine) this.streamLocks.delete(k);
    }
  }
}

type Decision = ReturnType<typeof decideApiCommand>;

/**
 * Why a queued command's actor may not act any more (null: it still may): the user is gone, is
 * disabled, or holds another role or student binding than when the command was taken.
 *
 * @example refusalOfStaleActor({ username: 'tina', role: 'teacher' }, disabledTina) // forbidden: tina is disabled
 */
export function refusalOfStaleActor(actor: Actor, user: UserState): DomainError | null {
  if (!user.exists) return { code: 'forbidden', message: `user ${actor.username} no longer exists` };
  if (user.disabled) return { code: 'forbidden', message: `user ${actor.username} is disabled` };
  if (user.role !== actor.role) return { code: 'forbidden', message: `user ${actor.username} is ${user.role} now, not ${actor.role}` };
  if ((user.studentId ?? undefined) !== actor.studentId) return { code: 'forbidden', message: `user ${actor.username} is bound to another student now` };
  return null;
}

/** The streams a command reads, so commands on one stream are decided one at a time. */
function streamsOf(command: ApiCommand, states: AggregateReads): string[] {
  switch (command.name) {
    case 'students.register':
    case 'students.correct':
    case 'students.freeze':
    case 'students.unfreeze':
      return [`student/${command.data.studentId}`];
    case 'scores.modify':
    case 'applications.submit':
      return [`student/${command.data.studentId}`, ...(command.data.reasonCode === undefined ? [] : [`reason/${command.data.reasonCode}`])];
    case 'reasons.create':
    case 'reasons.update':
      return [`reason/${command.data.code}`];
    case 'applications.review':
      return [`application/${command.data.applicationId}`, `student/${states.application(command.data.applicationId).studentId}`];
    case 'users.create':
    case 'users.update':
    case 'users.password':
    case 'users.classes':
    case 'users.logout':
      return [`user/${command.data.username}`];
    case 'scores.batch':
    case 'archives.start':
      return ['saga/new'];
    case 'sagas.retry':
      return [`saga/${command.data.sagaId}`];
  }
}

/**
 * The streams a command's decision reads (`streamType/streamId`), to load before it: those it
 * locks, the aggregate it may create (an id derived from the command), and a student it binds.
 */
function readsOf(command: ApiCommand, streams: readonly string[], commandId: string, attempt: string): string[] {
  const keys = streams.filter((k) => k !== 'saga/new');
  if (command.name === 'applications.submit') keys.push(`application/${derivedId('app', attempt)}`);
  if (command.name === 'scores.batch' || command.name === 'archives.start') keys.push(`saga/${derivedId('saga', commandId)}`);
  if (command.name === 'users.create' && command.data.studentId !== undefined) keys.push(`student/${command.data.studentId}`);
  return keys;
}

/** The versions the states are at for `keys` (`streamType/streamId`, all in memory): what a recorded refusal was decided against. */
function versionsOf(keys: readonly string[], states: AggregateReads): Record<string, number> {
  const versions: Record<string, number> = {};
  for (const key of keys) {
    const slash = key.indexOf('/');
    const type = key.slice(0, slash);
    const id = key.slice(slash + 1);
    if (type === 'student') versions[key] = states.student(id).version;
    else if (type === 'application') versions[key] = states.application(id).version;
    else if (type === 'user') versions[key] = states.user(id).version;
    else if (type === 'saga') versions[key] = states.saga(id).version;
    else if (type === 'reason') versions[key] = states.reason(id).version;
  }
  return versions;
}

/** True when the outcome answers the command for ever: it applied, or the leader's refusal was recorded. */
export function isFinal(outcome: CommandOutcome): boolean {
  return outcome.status === 'applied' || outcome.refusal !== undefined;
}

/** The refusal an outcome records, as the domain error it was decided as. */
export function refusalOf(outcome: CommandOutcome): DomainError {
  const refusal = outcome.refusal;
  if (isDomainError(refusal)) return { code: refusal.code, message: refusal.message };
  return { code: 'conflict', message: outcome.reason ?? 'refused when applied' };
}

/**
 * What a final outcome answers.
 * @throws DomainRefusal with the recorded refusal when the command was refused
 */
function answerOf(outcome: CommandOutcome, duplicate: boolean): CommandAnswer {
  if (outcome.status !== 'applied') throw new DomainRefusal(refusalOf(outcome));
  return {
    commandId: outcome.commandId,
    position: outcome.lastPosition ?? null,
    result: (outcome.result ?? {}) as Record<string, unknown>,
    duplicate,
  };
}
