import { type ConsensusConfig, type Message, PHASE1B_ENTRY_OVERHEAD, consensusConfig, valueKey } from '../consensus';
import { AssertionError } from '../shared/assert';
import { type Random, seededRandom } from '../shared/random';
import { checkConfigHistories, checkConverged, checkLog } from './checker';
import { Operator } from './operator';
import { type Fault, type FaultPlan, describeFaults, drawFaults } from './faults';
import { SimNetwork } from './network';
import { SimNode, type SimStorage } from './sim-node';

/** How one seed runs. */
export interface SimOptions {
  seed: number;
  /** 3 or 5; by default odd seeds run 5 nodes and even seeds 3. */
  nodes?: number;
  /** Ticks with faults on, before the heal. */
  faultTicks?: number;
  /** Ticks after the heal within which every submitted value must be chosen everywhere. */
  healTicksMax?: number;
  clients?: number;
  /** Quorum sizes; only the mutation test passes ones that need not intersect. */
  phase1Quorum?: number;
  phase2Quorum?: number;
  allowNonIntersectingQuorums?: boolean;
  /** An operator changes the membership while the faults run: grows, shrinks, replaces (the leader too). */
  membership?: boolean;
  /** Adds the storage faults: a node's database is wiped, or restored from an older backup (or only one of the two). */
  storageFaults?: boolean | 'wipe' | 'rollback';
  /** The lost-state guard (new incarnation on new or rolled-back storage); only the mutation test turns it off. */
  guard?: boolean;
  /**
   * Every restart finds the node's stored chosen log shorter, as when its write loop lagged at the
   * crash: its watermark goes back 1..2α slots (its accepts stay). And midway through the faults
   * every node crashes at once, so that no node may know the lost tails chosen.
   */
  lostTails?: boolean;
  /** Called with a line per notable event, for replaying one seed. */
  trace?: (line: string) => void;
}

/** The outcome of one seed. */
export interface SimResult {
  seed: number;
  nodes: number;
  faults: string;
  safety: string[];
  liveness: string[];
  slotsChosen: number;
  /** Membership changes applied (bindings included), as the most advanced node saw them. */
  configChanges: number;
  valuesAcked: number;
  ticks: number;
  messages: number;
}

interface Client {
  seq: number;
  current: { id: string; payload: string } | null;
  target: number;
  retryAt: number;
}

const CLIENT_RETRY_TICKS = 60;
/** Far above what the protocol sends; exceeding it means messages multiply. */
const MESSAGES_PER_TICK_MAX = 200;

/** Runs one seed of the simulation and checks every invariant. Deterministic in the seed. */
export function runSeed(options: SimOptions): SimResult {
  const random = seededRandom(options.seed);
  const nodes = options.nodes ?? (options.seed % 2 === 0 ? 3 : 5);
  const faultTicks = options.faultTicks ?? 1500;
  const healTicksMax = options.healTicksMax ?? 2000;
  const spares = options.membership ? 2 : 0;
  const ids = Array.from({ length: nodes + spares }, (_, i) => `n${i + 1}`);
  const plan = drawFaults(random, nodes, faultTicks, options.storageFaults);
  const sim = new Simulation(random, ids, ids.slice(0, nodes), plan, options);
  options.trace?.(`seed ${options.seed}: ${nodes} nodes; ${describeFaults(plan)}`);
  sim.run(faultTicks, healTicksMax);
  return {
    seed: options.seed,
    nodes,
    faults: describeFaults(plan),
    safety: sim.safety,
    liveness: sim.liveness,
    configChanges: sim.configChangesApplied(),
    slotsChosen: sim.slotsChosen(),
    valuesAcked: sim.acked.size,
    ticks: sim.now,
    messages: sim.network.sent,
  };
}

class Simulation {
  readonly network: SimNetwork;
  readonly nodes: SimNode[];
  readonly safety: string[] = [];
  readonly liveness: string[] = [];
  /** slot -> the value key first seen chosen for it, on any node. */
  readonly chosenEverywhere = new Map<number, string>();
  readonly acked = new Set<string>();
  readonly submitted = new Set<string>();
  private readonly clients: Client[];
  private readonly pendingEvents: { at: number; run: () => void }[] = [];
  now = 0;

  private readonly operator: Operator | null;
  private readonly backups = new Map<SimNode, SimStorage[]>();

  constructor(
    private readonly random: Random,
    private readonly ids: string[],
    founding: string[],
    private readonly plan: FaultPlan,
    private readonly options: SimOptions,
  ) {
    this.network = new SimNetwork(random, { ...plan.network });
    const config = simConfig(random, founding, options);
    this.nodes = ids.map((id) => new SimNode(id, { ...config, nodeId: id }, random));
    this.clients = Array.from({ length: options.clients ?? 3 }, () => ({ seq: 0, current: null, target: 0, retryAt: 0 }));
    this.operator = options.membership ? new Operator(random, this.nodes, founding, ids.slice(founding.length)) : null;
    for (const fault of plan.events) this.schedule(fault);
    if (options.lostTails) this.scheduleCrashOfAll(Math.floor((options.faultTicks ?? 1500) / 2));
  }

  /** Every running node crashes at `at`, and each restarts 10..40 ticks later. */
  private scheduleCrashOfAll(at: number): void {
    this.pendingEvents.push({
      at,
      run: () => {
        for (const node of this.nodes.filter((n) => n.up)) {
          node.crash();
          this.pendingEvents.push({ at: this.now + 10 + this.random.int(30), run: () => this.restart(node) });
        }
      },
    });
  }

  configChangesApplied(): number {
    return this.mostAdvanced().replica.status().configChanges.filter((c) => c.refused === null).length;
  }

  private mostAdvanced(): SimNode {
    return this.nodes.reduce((a, b) => (b.storage.watermark > a.storage.watermark ? b : a));
  }

  /** The nodes of the newest configuration the most advanced node knows: who must converge. */
  private members(): SimNode[] {
    const latest = this.mostAdvanced().replica.status().latestMembership;
    return this.nodes.filter((n) => latest.voters.includes(n.id) || latest.learners.includes(n.id));
  }

  run(faultTicks: number, healTicksMax: number): void {
    for (; this.now < faultTicks && this.safety.length === 0; ) this.step(true);
    this.heal();
    const healedAt = this.now;
    const idle = (): boolean => this.clients.every((c) => c.current === null) && (this.operator?.idle() ?? true);
    for (; this.now < healedAt + healTicksMax && this.safety.length === 0; ) {
      this.step(false);
      if (this.now % 25 === 0 && checkConverged(this.members(), idle()) === null) break;
    }
    if (this.safety.length > 0) return;
    const notConverged = checkConverged(this.members(), idle());
    if (notConverged) {
      this.liveness.push(`${notConverged} ${healTicksMax} ticks after the heal${this.operator ? ` (operator: ${this.operator.describe()})` : ''}`);
      this.options.trace?.(this.nodes.map((n) => describeNode(n)).join('\n'));
    }
    this.safety.push(...checkLog(this.nodes, this.members(), this.acked, notConverged === null));
    this.safety.push(...checkConfigHistories(this.nodes));
  }

  slotsChosen(): number {
    return this.chosenEverywhere.size;
  }

  private step(faultsOn: boolean): void {
    this.now += 1;
    if (this.network.sent > MESSAGES_PER_TICK_MAX * this.now * this.nodes.length) {
      this.safety.push(`message storm: ${this.network.sent} messages in ${this.now} ticks`);
      return;
    }
    this.fireEvents();
    for (const node of this.nodes) if (node.isRunning(this.now)) this.guard(node, () => node.replica.tick());
    for (const message of this.network.due(this.now)) this.deliver(message);
    this.crashMidTick();
    this.driveClients(faultsOn);
    if (this.operator && this.now % 10 === 0) this.operator.step(this.now, faultsOn);
    if (this.options.storageFaults && this.now % 97 === 0) this.takeBackups();
    for (const node of this.nodes) if (node.isRunning(this.now)) this.guard(node, () => this.process(node));
  }

  private deliver(message: Message): void {
    const node = this.nodes[this.ids.indexOf(message.to)];
    if (!node.up) return;
    if (!node.isRunning(this.now)) return this.network.enqueue(message, this.now + 1);
    if (message.type === 'CatchupRequest') return this.network.send(node.serveCatchup(message), this.now);
    this.guard(node, () => node.replica.step(message));
  }

  private process(node: SimNode): void {
    const chosen = node.processReady((m) => this.network.send(m, this.now));
    // Applying lags behind choosing by a random number of steps, as the real apply loop does.
    if (this.random.int(3) !== 0) node.applyPending((client, id) => this.ack(client, id));
    for (const entry of chosen) {
      const key = valueKey(entry.value);
      const seen = this.chosenEverywhere.get(entry.slot);
      if (seen === undefined) this.chosenEverywhere.set(entry.slot, key);
      else if (seen !== key) this.safety.push(`slot ${entry.slot} chosen with two values (${node.id} has ${key}, another node ${seen})`);
    }
    if (node.violation) this.safety.push(`${node.id}: ${node.violation}`);
    node.violation = null;
  }

  /** A replica that throws has broken an invariant: that is a safety violation, not a crash of the run. */
  private guard(node: SimNode, action: () => void): void {
    try {
      action();
    } catch (error) {
      if (!(error instanceof AssertionError)) throw error;
      this.safety.push(`${node.id} asserted: ${error.message}`);
    }
  }

  private driveClients(faultsOn: boolean): void {
    this.clients.forEach((client, index) => {
      if (client.current === null) {
        if (!faultsOn || this.random.int(4) !== 0) return;
        client.seq += 1;
        client.current = { id: `c${index}-${client.seq}`, payload: `v${this.random.int(1000)}` };
        this.submitted.add(client.current.id);
        client.retryAt = this.now;
      }
      if (this.now >= client.retryAt) this.submit(index, client);
    });
  }

  private submit(index: number, client: Client): void {
    const value = client.current;
    if (value === null) return;
    client.target = this.random.int(this.nodes.length);
    client.retryAt = this.now + CLIENT_RETRY_TICKS;
    const node = this.nodes[client.target];
    if (!node.isRunning(this.now)) return;
    if (node.hasApplied(value.id)) return this.ack(index, value.id);
    const result = node.replica.propose([value]);
    if (result.status === 'queued' || result.status === 'forwarded') node.waiters.set(value.id, index);
    else client.retryAt = this.now + 5;
  }

  private ack(index: number, id: string): void {
    const client = this.clients[index];
    this.acked.add(id);
    if (client.current?.id === id) client.current = null;
  }

  private schedule(fault: Fault): void {
    const pick = (target: 'leader' | number): number => (target === 'leader' ? this.leaderIndex() : target);
    const at = (tick: number, run: () => void): void => {
      this.pendingEvents.push({ at: tick, run });
    };
    switch (fault.kind) {
      case 'isolate':
        return at(fault.at, () => {
          const i = pick(fault.target);
          this.network.split([this.ids[i]], this.ids.filter((_, j) => j !== i));
          at(fault.heal, () => this.network.heal());
        });
      case 'split':
        return at(fault.at, () => {
          const shuffled = [...this.ids].sort(() => this.random.float() - 0.5);
          this.network.split(shuffled.slice(0, fault.minority), shuffled.slice(fault.minority));
          at(fault.heal, () => this.network.heal());
        });
      case 'one-way':
        return at(fault.at, () => {
          this.network.block(this.ids[fault.from], this.ids[fault.to]);
          at(fault.heal, () => this.network.heal());
        });
      case 'crash':
        return at(fault.at, () => {
          const node = this.nodes[pick(fault.target)];
          if (fault.midTick) this.midTickCrashes.push(node);
          else if (fault.midApply) node.crashMidApply((client, id) => this.ack(client, id));
          else node.crash();
          at(fault.restart, () => this.restart(node));
        });
      case 'pause':
        return at(fault.at, () => {
          const node = this.nodes[pick(fault.target)];
          node.pausedUntil = Math.max(node.pausedUntil, fault.resume);
        });
      case 'wipe':
      case 'rollback':
        return at(fault.at, () => this.loseStorage(fault.kind, this.nodes[pick(fault.target)], fault.restart, 0));
    }
  }

  /**
   * A node loses its storage (wipe) or gets an older backup of it back (rollback), then
   * restarts. The guard's known limit is respected: a node whose binding is not yet in every
   * member's stored log (the first moments of a new cluster) is not wiped, and a backup is only
   * restored across an epoch (see docs: a backup of the current epoch is not recognised).
   */
  private loseStorage(kind: 'wipe' | 'rollback', node: SimNode, restartAt: number, attempt: number): void {
    const guard = this.options.guard ?? true;
    const postpone = (): void => {
      if (attempt < 20) this.pendingEvents.push({ at: this.now + 50, run: () => this.loseStorage(kind, node, Math.max(restartAt, this.now + 60), attempt + 1) });
    };
    if (guard && (!this.boundEverywhere(node.id) || !this.othersHealthy(node))) return postpone();
    const backups = this.backups.get(node) ?? [];
    const backup = kind === 'rollback' ? [...backups].reverse().find((b) => !guard || b.epoch < node.guardEpoch) : undefined;
    if (kind === 'rollback' && backup === undefined) return postpone();
    node.crash();
    if (kind === 'wipe') node.wipe(guard);
    else node.rollBack(backup as SimStorage, guard);
    this.options.trace?.(`tick ${this.now}: ${kind} ${node.id} (incarnation now ${node.storage.incarnation})`);
    this.pendingEvents.push({ at: Math.max(restartAt, this.now + 1), run: () => this.restart(node) });
  }

  /** Every member knows the target bound (its binding is in their history), and it runs that incarnation. */
  private boundEverywhere(nodeId: string): boolean {
    const target = this.nodes.find((n) => n.id === nodeId);
    return this.members().every((n) => {
      const bound = n.replica.status().latestMembership.incarnations[nodeId];
      return bound !== undefined && bound === target?.storage.incarnation;
    });
  }

  /**
   * Every other voter of the newest configuration runs the incarnation it is bound to: at most
   * one member's storage is lost at a time (the fault model of a cluster that tolerates one
   * failure; more would leave no quorum to re-add it, which is safe but never converges).
   */
  private othersHealthy(node: SimNode): boolean {
    const status = this.mostAdvanced().replica.status();
    const latest = status.latestMembership;
    // The newest configuration is in force (no change pending), with three voters at least.
    if (latest.voters.length < 3 || status.membership.version !== latest.version) return false;
    return this.nodes.every((n) => {
      if (n === node || (!latest.voters.includes(n.id) && !latest.learners.includes(n.id))) return true;
      return n.up && latest.incarnations[n.id] === n.storage.incarnation;
    });
  }

  private takeBackups(): void {
    for (const node of this.nodes) {
      if (!node.up) continue;
      const list = this.backups.get(node) ?? [];
      list.push(node.storage.snapshot());
      if (list.length > 8) list.shift();
      this.backups.set(node, list);
    }
  }

  private midTickCrashes: SimNode[] = [];

  /** A crash after messages were stepped but before their Ready was persisted: that work is lost. */
  private crashMidTick(): void {
    for (const node of this.midTickCrashes) node.crash();
    this.midTickCrashes = [];
  }

  private restart(node: SimNode): void {
    if (node.up) return;
    if (this.options.lostTails) node.storage.loseChosenAbove(Math.max(0, node.storage.watermark - 1 - this.random.int(2 * node.config.acceptWindowSlots)));
    this.guard(node, () => node.restart());
    if (node.violation) this.safety.push(`${node.id}: ${node.violation}`);
  }

  private fireEvents(): void {
    for (let i = 0; i < this.pendingEvents.length; ) {
      const event = this.pendingEvents[i];
      if (event.at > this.now) {
        i++;
        continue;
      }
      this.pendingEvents.splice(i, 1);
      this.options.trace?.(`tick ${this.now}: fault fires`);
      event.run();
    }
  }

  private heal(): void {
    this.network.heal();
    this.network.faults = { ...this.plan.network, loss: 0, duplication: 0, longDelay: 0 };
    this.pendingEvents.length = 0;
    for (const node of this.nodes) {
      if (!node.up) this.restart(node);
      node.pausedUntil = -1;
    }
    this.options.trace?.(`tick ${this.now}: healed`);
  }

  private leaderIndex(): number {
    const leader = this.nodes.findIndex((n) => n.up && n.replica.status().role === 'leader');
    return leader >= 0 ? leader : this.random.int(this.nodes.length);
  }
}

/** Small windows and batches drawn per seed, so pipelining, batching and catch-up limits are all exercised. */
function simConfig(random: Random, ids: string[], options: SimOptions): ConsensusConfig {
  const inflightSlotsMax = 1 + random.int(8);
  const acceptWindowSlots = inflightSlotsMax * (2 + random.int(4));
  const batchBytesMax = 200 + random.int(200);
  return consensusConfig(
    {
      nodeId: ids[0],
      members: ids,
      phase1Quorum: options.phase1Quorum,
      phase2Quorum: options.phase2Quorum,
      heartbeatTicks: 5,
      electionTicksMin: 30,
      electionTicksMax: 60,
      retransmitTicks: 15,
      inflightSlotsMax,
      batchCommandsMax: 1 + random.int(4),
      acceptWindowSlots,
      // A node added later catches up the whole log: at one slot a round trip it would not finish in time.
      catchupBatchMax: Math.max(options.membership ? 8 : 1, 1 + random.int(20)),
      // Small byte limits, so that batches split by size, and promises of lagging candidates are
      // truncated (after restarts whose chosen log is behind their accepts).
      batchBytesMax,
      phase1bBytesMax: acceptWindowSlots * (batchBytesMax + PHASE1B_ENTRY_OVERHEAD),
    },
    { allowNonIntersectingQuorums: options.allowNonIntersectingQuorums },
  );
}

/** One line about a node's state, for replaying a seed. */
function describeNode(n: SimNode): string {
  const s = n.replica.status();
  const m = s.membership;
  return `${n.id}${n.up ? "" : " (down)"} ${s.role}(${s.roleReason}) leader=${s.leaderId} ballot=${s.ballot.round}.${s.ballot.nodeId} chosen=${s.chosenWatermark} stored=${n.storage.watermark} inc=${s.incarnation} voting=${s.notVotingReason ?? 'yes'} voters=${m.voters.join(',')} learners=${m.learners.join(',')} latest=${s.latestMembership.voters.join(',')}/${s.latestMembership.learners.join(',')} inflight=${s.inflightSlots} pending=${s.pendingValues} change=${s.changeInFlight} promised=${s.promised.round}.${s.promised.nodeId}`;
}
