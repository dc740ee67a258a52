import type { NatsConnection } from 'nats';
import { Command, Option } from 'nest-commander';
import { askNodeStatus } from '../../node/cluster-nodes';
import type { ClusterStatus } from '../../node/cluster-status';
import { type MembershipAnswer, type MembershipRequest, askLeaderForMembership, promotionNotYet } from '../../node/membership';
import type { CliConfig } from '../cli-config';
import { connectNats } from '../cli-connections';
import { CliFailure, CliUsageError } from '../cli-errors';
import type { CliOutput } from '../cli-output';
import { resolve } from 'node:path';
import { restoreNode, snapshotFile } from '../../operations/snapshot/restore';
import { CliCommand, EXIT_OK } from './cli-command';
import { restoreFailure } from './restore.command';

interface MembershipOptions {
  readonly json?: boolean;
  readonly learner?: boolean;
  readonly timeout?: string;
  readonly fromSnapshot?: string;
}

/** How long add-node and replace-node wait for a learner to catch up, by default. */
const CATCH_UP_TIMEOUT_DEFAULT_MS = 600_000;
/** How long the commands look for a leader (an election under load takes a moment). */
const LEADER_WAIT_MS = 15_000;
const STATUS_TIMEOUT_MS = 1500;
const NODE_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** One step done, for `--json` and the text summary. */
interface StepDone {
  readonly op: MembershipRequest['op'];
  readonly nodeId: string;
  readonly leaderId: string;
  readonly slot: number;
  readonly effectiveSlot: number;
}

/**
 * The membership commands: each finds the leader (asking every node it knows for its status over
 * NATS), sends it the change on `<prefix>.internal.<cluster>.<leader>.membership`, and reports
 * each step as it is decided and in force. Exit codes: 0 done, 1 refused / no leader / timed
 * out, 2 bad usage.
 */
abstract class MembershipCommand extends CliCommand<MembershipOptions> {
  protected params: string[] = [];

  /** For --from-snapshot (see restoreInto). */
  protected restoreFirst(out: CliOutput, nodeId: string, file: string): Promise<void> {
    return restoreInto(this.config, out, nodeId, file);
  }
  private nats: NatsConnection | null = null;

  @Option({ flags: '--timeout <ms>', description: `how long to wait for a learner to catch up (default ${CATCH_UP_TIMEOUT_DEFAULT_MS})` })
  parseTimeout(value: string): string {
    return value;
  }

  override async run(params: string[], options?: MembershipOptions): Promise<void> {
    this.params = params;
    await super.run(params, options);
  }

  protected nodeIdParam(index: number, name: string): string {
    const id = this.params[index];
    if (id === undefined) throw new CliUsageError(`missing <${name}>`);
    if (!NODE_ID.test(id)) throw new CliUsageError(`<${name}> must match [A-Za-z0-9_-]{1,32}, got ${JSON.stringify(id)}`);
    return id;
  }

  protected timeoutOf(options: MembershipOptions): number {
    if (options.timeout === undefined) return CATCH_UP_TIMEOUT_DEFAULT_MS;
    const ms = Number(options.timeout);
    if (!Number.isSafeInteger(ms) || ms < 1) throw new CliUsageError(`--timeout must be a positive number of milliseconds, got ${options.timeout}`);
    return ms;
  }

  protected async withNats<T>(run: () => Promise<T>): Promise<T> {
    this.nats = await connectNats(this.config);
    try {
      return await run();
    } finally {
      await this.nats.close();
      this.nats = null;
    }
  }

  /** The leader's status, waiting out an election (up to LEADER_WAIT_MS). */
  protected async leaderStatus(): Promise<ClusterStatus> {
    const deadline = Date.now() + LEADER_WAIT_MS;
    for (;;) {
      try {
        return await this.leaderStatusOnce();
      } catch (error) {
        if (!(error instanceof CliFailure) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** The leader's status: every founding node is asked, then every member their answers name. */
  private async leaderStatusOnce(): Promise<ClusterStatus> {
    const nats = this.connection();
    const asked = new Set<string>();
    let leader: ClusterStatus | null = null;
    let toAsk = [...this.config.members];
    for (let round = 0; round < 3 && toAsk.length > 0; round++) {
      toAsk.forEach((id) => asked.add(id));
      const answers = await Promise.all(toAsk.map((id) => askNodeStatus(nats, this.config.apiPrefix, this.config.clusterName, id, STATUS_TIMEOUT_MS)));
      const statuses = answers.flatMap((a) => (a.reachable ? [a.status] : []));
      for (const s of statuses) if (s.role === 'leader' && (leader === null || s.ballot > leader.ballot)) leader = s;
      const named = statuses.flatMap((s) => [...(s.configuration?.voters ?? []), ...(s.configuration?.learners ?? []), ...(s.leaderId ? [s.leaderId] : [])]);
      toAsk = [...new Set(named)].filter((id) => !asked.has(id));
    }
    if (leader === null) throw new CliFailure(`no leader among the nodes that answered (${[...asked].join(', ')}): no quorum, or an election is running`);
    return leader;
  }

  /** Sends one change to the leader and reports it; throws CliFailure when it is not made. */
  protected async step(out: CliOutput, request: MembershipRequest): Promise<StepDone> {
    const leader = await this.leaderStatus();
    out.note({ step: request.op, nodeId: request.nodeId, leaderId: leader.nodeId, state: 'asking' }, `${describeOp(request)}: asking the leader ${leader.nodeId}`);
    const answer: MembershipAnswer = await askLeaderForMembership(this.connection(), this.config.apiPrefix, this.config.clusterName, leader.nodeId, request);
    if (!answer.ok) throw new CliFailure(`${describeOp(request)}: ${answer.error}: ${answer.message}`, { reason: answer.error });
    out.note(
      { step: request.op, nodeId: request.nodeId, leaderId: answer.leaderId, slot: answer.slot, effectiveSlot: answer.effectiveSlot, state: 'in-force' },
      `${describeOp(request)}: decided in slot ${answer.slot}, in force from slot ${answer.effectiveSlot}`,
    );
    return { op: request.op, nodeId: request.nodeId, leaderId: answer.leaderId, slot: answer.slot, effectiveSlot: answer.effectiveSlot };
  }

  /** Promotes a learner once the leader sees it caught up, reporting how far behind it is meanwhile. */
  protected async promoteWhenCaughtUp(out: CliOutput, nodeId: string, timeoutMs: number): Promise<StepDone> {
    const deadline = Date.now() + timeoutMs;
    let lastNote = 0;
    for (;;) {
      const leader = await this.leaderStatus();
      const member = leader.members.find((m) => m.nodeId === nodeId);
      if (member?.caughtUp) {
        try {
          return await this.step(out, { op: 'promote', nodeId });
        } catch (error) {
          // Caught up when asked, behind again when the leader checked (writes go on): wait more.
          if (!(error instanceof CliFailure) || !promotionNotYet(error.message) || Date.now() > deadline) throw error;
        }
      }
      if (Date.now() > deadline) throw new CliFailure(`${nodeId} did not catch up within ${timeoutMs} ms (at slot ${member?.appliedSlot ?? 0} of ${leader.chosenSlot}); is it running?`, { reason: 'timeout' });
      if (Date.now() - lastNote > 1000) {
        lastNote = Date.now();
        out.note({ step: 'catch-up', nodeId, appliedSlot: member?.appliedSlot ?? 0, leaderSlot: leader.chosenSlot }, `${nodeId}: catching up, slot ${member?.appliedSlot ?? 0} of ${leader.chosenSlot}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  protected finish(out: CliOutput, steps: readonly StepDone[], summary: string): number {
    out.result({ ok: true, steps }, () => [...steps.map((s) => `${describeOp(s)}: slot ${s.slot}, in force from slot ${s.effectiveSlot} (leader ${s.leaderId})`), summary]);
    return EXIT_OK;
  }

  private connection(): NatsConnection {
    if (this.nats === null) throw new Error('NATS not connected');
    return this.nats;
  }
}

function describeOp(r: { op: MembershipRequest['op']; nodeId: string }): string {
  switch (r.op) {
    case 'add-learner':
      return `add ${r.nodeId} as a learner`;
    case 'promote':
      return `promote ${r.nodeId} to voter`;
    case 'remove':
      return `remove ${r.nodeId}`;
  }
}

/**
 * `cluster:add-node <id> [--learner] [--from-snapshot <file>]`: adds a node as a learner and,
 * unless --learner, promotes it once caught up. With --from-snapshot, first restores a backup
 * into the new node's (empty) database, so that it catches up only what came after it.
 */
@Command({ name: 'cluster:add-node', arguments: '<id>', description: 'add a node: a learner that catches up, then (without --learner) a voter' })
export class ClusterAddNodeCommand extends MembershipCommand {
  @Option({ flags: '--learner', description: 'leave it a learner (promote it later with cluster:promote)' })
  parseLearner(): boolean {
    return true;
  }

  @Option({ flags: '--from-snapshot <file>', description: "restore this backup into the new node's empty database first (start the node after it)" })
  parseFromSnapshot(value: string): string {
    return value;
  }

  protected async execute(out: CliOutput, options: MembershipOptions): Promise<number> {
    const nodeId = this.nodeIdParam(0, 'id');
    const timeout = this.timeoutOf(options);
    if (options.fromSnapshot !== undefined) await this.restoreFirst(out, nodeId, options.fromSnapshot);
    return this.withNats(async () => {
      const steps = [await this.step(out, { op: 'add-learner', nodeId })];
      if (options.learner !== true) steps.push(await this.promoteWhenCaughtUp(out, nodeId, timeout));
      return this.finish(out, steps, options.learner === true ? `${nodeId} is a learner` : `${nodeId} is a voter`);
    });
  }
}

/** Restores `file` into the node's database; the node must not run yet. */
async function restoreInto(config: CliConfig, out: CliOutput, nodeId: string, file: string): Promise<void> {
  const path = resolve(file);
  const target = config.mysqlFor(nodeId);
  out.note({ step: 'restore', nodeId, file: path, state: 'restoring' }, `${nodeId}: restoring ${path} into ${target.database}`);
  try {
    const summary = await restoreNode({ ...target, nodeId, cluster: config.clusterName, open: snapshotFile(path) });
    out.note(
      { step: 'restore', nodeId, chosenWatermark: summary.chosenWatermark, seconds: summary.seconds, state: 'restored' },
      `${nodeId}: restored, slots 1..${summary.chosenWatermark} chosen; start node ${nodeId} now (it catches up the rest once added)`,
    );
  } catch (error) {
    throw restoreFailure(error, path, nodeId, target);
  }
}

/** `cluster:promote <id>`: a caught-up learner becomes a voter. */
@Command({ name: 'cluster:promote', arguments: '<id>', description: 'promote a caught-up learner to voter' })
export class ClusterPromoteCommand extends MembershipCommand {
  protected async execute(out: CliOutput, options: MembershipOptions): Promise<number> {
    const nodeId = this.nodeIdParam(0, 'id');
    const timeout = this.timeoutOf(options);
    return this.withNats(async () => this.finish(out, [await this.promoteWhenCaughtUp(out, nodeId, timeout)], `${nodeId} is a voter`));
  }
}

/** `cluster:remove-node <id>`: a voter or learner leaves the configuration; a leader removed hands over first. */
@Command({ name: 'cluster:remove-node', arguments: '<id>', description: 'remove a node (the leader hands over first when it is the one removed)' })
export class ClusterRemoveNodeCommand extends MembershipCommand {
  protected async execute(out: CliOutput): Promise<number> {
    const nodeId = this.nodeIdParam(0, 'id');
    return this.withNats(async () => this.finish(out, [await this.step(out, { op: 'remove', nodeId })], `${nodeId} is no longer a member`));
  }
}

/**
 * `cluster:replace-node <old> <new>`: adds <new> as a learner, promotes it once caught up, then
 * removes <old>. With <old> = <new>, re-adds a node whose storage was lost or restored under its
 * new incarnation (as a learner, then a voter).
 */
@Command({ name: 'cluster:replace-node', arguments: '<old> <new>', description: 'replace a node: add the new one, promote it once caught up, remove the old one' })
export class ClusterReplaceNodeCommand extends MembershipCommand {
  protected async execute(out: CliOutput, options: MembershipOptions): Promise<number> {
    const oldId = this.nodeIdParam(0, 'old');
    const newId = this.nodeIdParam(1, 'new');
    const timeout = this.timeoutOf(options);
    return this.withNats(async () => {
      const steps = [await this.step(out, { op: 'add-learner', nodeId: newId }), await this.promoteWhenCaughtUp(out, newId, timeout)];
      if (oldId !== newId) steps.push(await this.step(out, { op: 'remove', nodeId: oldId }));
      return this.finish(out, steps, oldId === newId ? `${newId} is a voter again under its new incarnation` : `${newId} replaced ${oldId}`);
    });
  }
}
