import { readFileSync } from 'node:fs';
import { pollUntil, sleep } from '../bench/poll';
import type { Random } from '../shared/random';
import type { ChaosCluster } from './chaos-cluster';
import type { FaultRecord } from './history';

/** Every fault the nemesis knows. */
export const FAULT_KINDS = [
  'kill-leader',
  'kill-random',
  'pause-leader',
  'pause-random',
  'isolate-leader',
  'split-one-two',
  'one-way',
  'kill-mariadb',
  'restart-nats',
  'slow-routes',
  'replace-node',
  'wipe-node',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The faults that change the membership through the operator CLI (they need no hold: the change is the fault). */
export const MEMBERSHIP_KINDS: readonly FaultKind[] = ['replace-node', 'wipe-node'];

/** One planned fault: what, on which host (`leader`: the leader's host, resolved when it starts), how long, then a quiet gap. */
export interface PlannedFault {
  readonly kind: FaultKind;
  /** A host id, or 'leader'. */
  readonly target: string;
  readonly holdMs: number;
  readonly quietMs: number;
}

/** SIGSTOP pauses last 8 s (the issue's figure). */
const PAUSE_MS = 8000;
/** What a membership fault is counted as when the schedule is planned (a new node catching up, CLI runs). */
const MEMBERSHIP_PLANNED_MS = 20_000;

/**
 * The schedule of a run, drawn from its seed only: the fault kinds in a shuffled cycle (so a short
 * run still meets many kinds, a long one every kind many times), each held a few seconds and
 * followed by a quiet gap. `lead` kinds open the first cycle (in the cycle's seeded order), so a
 * short run is sure to meet them. More than `durationMs` of faults; the runner stops when time is up.
 * `replace-node` hits the leader one time in two.
 */
export function drawSchedule(random: Random, durationMs: number, hostIds: readonly string[], lead: readonly FaultKind[] = []): PlannedFault[] {
  const plan: PlannedFault[] = [];
  let planned = 0;
  for (let round = 0; planned < durationMs; round++) {
    const shuffled = [...FAULT_KINDS];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const cycle = round === 0 ? [...shuffled.filter((k) => lead.includes(k)), ...shuffled.filter((k) => !lead.includes(k))] : shuffled;
    for (const kind of cycle) {
      const onLeader = kind.endsWith('-leader') || (kind === 'replace-node' && random.int(2) === 0);
      const target = onLeader ? 'leader' : hostIds[random.int(hostIds.length)];
      const membership = MEMBERSHIP_KINDS.includes(kind);
      const holdMs = membership ? 0 : kind.startsWith('pause') ? PAUSE_MS : 3000 + random.int(5000);
      const quietMs = 2000 + random.int(3000);
      plan.push({ kind, target, holdMs, quietMs });
      // Counted without the heal's own time (restarts take seconds), so the plan always outlasts
      // the run; the runner stops at the run's end.
      planned += (membership ? MEMBERSHIP_PLANNED_MS : holdMs) + quietMs;
      if (planned >= durationMs) break;
    }
  }
  return plan;
}

/** How many spare node ids a plan may start (one per `replace-node`). */
export function sparesNeeded(plan: readonly PlannedFault[]): number {
  return plan.filter((f) => f.kind === 'replace-node').length;
}

/** How far past its end a nemesis run may go on to inject the faults it must (ChaosOptions.faultsAtLeast). */
export const NEMESIS_GRACE_MS = 30_000;

/** A clock in ms since the run began. */
export type RunClock = () => number;

/** How long a new or wiped node may take to catch up before the CLI gives up on promoting it. */
const CATCH_UP_TIMEOUT_MS = 60_000;
/** A CLI run is killed after this long (catch-up included). */
const CLI_TIMEOUT_MS = CATCH_UP_TIMEOUT_MS + 30_000;
/** Tries of one membership change (a leader change or a timeout may refuse a try; each try reads the configuration first). */
const CHANGE_TRIES_MAX = 3;
/** How long a wiped node may take to report it does not vote, and to vote again after it is re-added. */
const VOTING_WAIT_MS = 60_000;

/** A failed step of a membership fault: the fault's note says which. */
class StepFailure extends Error {}

/**
 * Runs the schedule against the cluster until `untilMs`: injects each fault, holds it, heals
 * everything (network, paused nodes, dead processes restarted) and records it. A membership
 * fault runs its steps (the CLI as an operator would) and records each with its duration.
 */
export class Nemesis {
  readonly faults: FaultRecord[] = [];

  constructor(
    private readonly cluster: ChaosCluster,
    private readonly clock: RunClock,
    private readonly log: (line: string) => void,
  ) {}

  async run(plan: readonly PlannedFault[], untilMs: number, faultsAtLeast = 0): Promise<void> {
    for (const fault of plan) {
      const enough = this.faults.length >= faultsAtLeast;
      // Past its end only to reach `faultsAtLeast`, and never more than NEMESIS_GRACE_MS past it.
      const end = enough ? untilMs : untilMs + NEMESIS_GRACE_MS;
      if (this.clock() + fault.holdMs > end) break;
      await this.inject(fault);
      await sleep(Math.min(fault.quietMs, Math.max(0, untilMs - this.clock())));
    }
  }

  /** Injects one fault, holds it, heals, and records it. */
  async inject(fault: PlannedFault): Promise<FaultRecord> {
    const leader = await this.cluster.leader();
    const target = fault.target === 'leader' ? (leader ?? this.cluster.nodeIds[0]) : this.cluster.host(fault.target).nodeId;
    const record: FaultRecord = { kind: fault.kind, target, targetLed: target === leader, startedAt: this.clock(), injected: false, healedAt: null, writesBackAt: null };
    this.faults.push(record);
    const host = this.cluster.hostOf(target);
    this.log(`${(record.startedAt / 1000).toFixed(1)} s: ${fault.kind} ${target}${record.targetLed ? ' (the leader)' : ''} on host ${host.id}${MEMBERSHIP_KINDS.includes(fault.kind) ? '' : ` for ${fault.holdMs} ms`}`);
    try {
      if (fault.kind === 'replace-node') await this.replaceNode(record);
      else if (fault.kind === 'wipe-node') await this.wipeNode(record);
      else {
        await this.start(fault.kind, target);
        record.injected = true;
      }
      await sleep(fault.holdMs);
      // Healing is the same for every fault: the network, paused nodes, databases, NATS and nodes.
      await this.cluster.healAll();
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      record.note = error instanceof StepFailure ? `failed: ${message}` : `heal trouble: ${message}`;
      this.log(record.note);
      try {
        await this.cluster.healAll();
      } catch (again) {
        record.note += `; heal again: ${again instanceof Error ? again.message.split('\n')[0] : String(again)}`;
        this.log(record.note);
      }
    }
    record.healedAt = this.clock();
    this.log(`${(record.healedAt / 1000).toFixed(1)} s: healed`);
    return record;
  }

  private async start(kind: FaultKind, target: string): Promise<void> {
    const host = this.cluster.hostOf(target);
    const others = this.cluster.hostIds.filter((id) => id !== host.id);
    switch (kind) {
      case 'kill-leader':
      case 'kill-random':
        return this.cluster.killNode(target);
      case 'pause-leader':
      case 'pause-random':
        return this.cluster.pauseNode(target);
      case 'isolate-leader':
      case 'split-one-two':
        // With three hosts a 1/2 split is one host cut from the two others.
        for (const other of others) this.cluster.setLink(host.id, other, 'blocked');
        return;
      case 'one-way':
        // The target's server can no longer send to the others; it still hears them.
        for (const other of others) this.cluster.setLink(host.id, other, 'one-way');
        return;
      case 'kill-mariadb':
        return host.mariadb.kill9();
      case 'restart-nats':
        return host.nats.kill9();
      case 'slow-routes':
        for (const other of others) this.cluster.setLink(host.id, other, 'open', 300);
        return;
      case 'replace-node':
      case 'wipe-node':
        throw new Error(`${kind} is a membership fault`); // not reached: inject runs them
    }
  }

  /** Runs one step of a membership fault and records it with its duration (also when it fails). */
  private async step<T>(record: FaultRecord, what: string, run: () => Promise<T>): Promise<T> {
    const from = Date.now();
    let failed = '';
    try {
      return await run();
    } catch (error) {
      failed = ` (failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
      throw error instanceof StepFailure ? error : new StepFailure(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      const ms = Date.now() - from;
      (record.steps ??= []).push({ what: `${what}${failed}`, ms });
      this.log(`  ${what}${failed}: ${ms} ms`);
    }
  }

  /**
   * `replace-node`: the target is killed and its database dropped (the machine is lost); a spare
   * node id starts on its host, is added (`cluster:add-node`: a learner, promoted once caught up),
   * and the target is removed (`cluster:remove-node`).
   */
  private async replaceNode(record: FaultRecord): Promise<void> {
    const old = record.target;
    const spare = this.cluster.spares[0];
    if (spare === undefined) throw new StepFailure('no spare node id left (the cluster provisions one per replace-node of the plan)');
    await this.step(record, `kill ${old}`, () => this.cluster.killNode(old));
    record.injected = true;
    await this.step(record, `drop ${old}'s database`, () => this.cluster.dropDatabase(old));
    const host = this.cluster.hostOf(old);
    await this.step(record, `start ${spare} on host ${host.id}`, async () => {
      this.cluster.replaceNodeOnHost(old, spare);
      await this.cluster.waitLive(spare);
    });
    record.replacedBy = spare;
    await this.step(record, `cluster:add-node ${spare} (a learner, promoted once caught up)`, () =>
      this.changeUntil(`${spare} is a voter`, (c) => (c.voters.includes(spare) ? null : c.learners.includes(spare) ? ['cluster:promote', spare] : ['cluster:add-node', spare])),
    );
    await this.step(record, `cluster:remove-node ${old}`, () =>
      this.changeUntil(`${old} is no longer a member`, (c) => (c.voters.includes(old) || c.learners.includes(old) ? ['cluster:remove-node', old] : null)),
    );
    await this.step(record, `${spare} serving`, () => this.cluster.waitServing(spare));
  }

  /**
   * `wipe-node`: the target is killed, its database dropped and the node restarted under its old
   * id with its guard file: it must see its storage lost, report that it does not vote
   * (`incarnation-mismatch`), and vote again once re-added by `cluster:replace-node <id> <id>`.
   */
  private async wipeNode(record: FaultRecord): Promise<void> {
    const id = record.target;
    const before = await this.incarnationOf(id);
    await this.step(record, `kill ${id}`, () => this.cluster.killNode(id));
    record.injected = true;
    await this.step(record, `drop ${id}'s database`, () => this.cluster.dropDatabase(id));
    const host = this.cluster.hostOf(id);
    const logFrom = readSize(host.nodeLog);
    await this.step(record, `restart ${id} on the empty database`, async () => {
      this.cluster.spawnNode(host);
      await this.cluster.waitLive(id);
    });
    let seen: Record<string, unknown> | null = null;
    await this.step(record, `${id} reports it does not vote`, async () => {
      try {
        await pollUntil(`${id} reporting incarnation-mismatch`, async () => {
          seen = (await this.cluster.status(id)) ?? seen;
          return seen?.voting === false && seen.notVotingReason === 'incarnation-mismatch';
        }, { timeoutMs: VOTING_WAIT_MS, everyMs: 200, attemptsMax: VOTING_WAIT_MS / 200 + 2 });
      } finally {
        const s = seen as Record<string, unknown> | null;
        const after = typeof s?.incarnation === 'string' ? s.incarnation : null;
        record.restartedAs = {
          voting: s?.voting === true,
          notVotingReason: typeof s?.notVotingReason === 'string' ? s.notVotingReason : null,
          incarnationChanged: before !== null && after !== null && before !== after,
          lossLogged: readFrom(host.nodeLog, logFrom).includes('storage lost'),
        };
      }
    });
    await this.step(record, `cluster:replace-node ${id} ${id}`, () =>
      this.changeUntil(`${id} votes again`, async (c) => {
        if ((await this.cluster.status(id))?.voting === true) return null;
        return c.learners.includes(id) ? ['cluster:promote', id] : ['cluster:replace-node', id, id];
      }),
    );
    await this.step(record, `${id} votes again`, async () => {
      record.votesAgain = false;
      await pollUntil(`${id} voting again`, async () => (await this.cluster.status(id))?.voting === true, { timeoutMs: VOTING_WAIT_MS, everyMs: 200, attemptsMax: VOTING_WAIT_MS / 200 + 2 });
      record.votesAgain = true;
    });
  }

  /** A node's incarnation as its status says, waiting a little for an answer; null when it gives none. */
  private async incarnationOf(id: string): Promise<string | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const status = await this.cluster.status(id);
      if (typeof status?.incarnation === 'string') return status.incarnation;
      await sleep(250);
    }
    return null;
  }

  /**
   * Makes one membership change with the CLI: reads the configuration, runs what `next` says is
   * still to do (null: done), and tries again, at most CHANGE_TRIES_MAX times.
   */
  private async changeUntil(goal: string, next: (c: { voters: readonly string[]; learners: readonly string[] }) => readonly string[] | null | Promise<readonly string[] | null>): Promise<void> {
    const failures: string[] = [];
    for (let attempt = 1; attempt <= CHANGE_TRIES_MAX; attempt++) {
      let configuration = await this.cluster.configuration();
      for (let wait = 0; configuration === null && wait < 40; wait++) {
        await sleep(250);
        configuration = await this.cluster.configuration();
      }
      if (configuration === null) {
        failures.push('no leader showed the configuration');
        continue;
      }
      const args = await next(configuration);
      if (args === null) return;
      const run = await this.cluster.cli([...args, '--timeout', String(CATCH_UP_TIMEOUT_MS)], CLI_TIMEOUT_MS);
      if (run.code === 0) return;
      failures.push(`${args.join(' ')} exited ${run.code}: ${(run.stderr.trim().split('\n').pop() ?? '').slice(0, 200)}`);
      await sleep(1000);
    }
    const configuration = await this.cluster.configuration();
    if (configuration !== null && (await next(configuration)) === null) return;
    throw new StepFailure(`${goal} not reached in ${CHANGE_TRIES_MAX} tries: ${failures.join('; ')}`);
  }
}

function readSize(path: string): number {
  try {
    return readFileSync(path).length;
  } catch {
    return 0;
  }
}

function readFrom(path: string, offset: number): string {
  try {
    return readFileSync(path).subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}
