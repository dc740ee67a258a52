import { Command, Option } from 'nest-commander';
import type { NatsConnection } from 'nats';
import { askNodeStatus } from '../../node/cluster-nodes';
import type { ClusterStatus } from '../../node/cluster-status';
import { sameTimeZone } from '../../shared/school-days';
import { connectNats } from '../cli-connections';
import { CliFailure } from '../cli-errors';
import { type CliOutput, table } from '../cli-output';
import { CliCommand, EXIT_FAILURE, EXIT_OK } from './cli-command';

interface ClusterStatusOptions {
  readonly json?: boolean;
  readonly timeout?: string;
}

const STATUS_TIMEOUT_DEFAULT_MS = 1500;

/** What one member answered on its status subject. */
interface MemberAnswer {
  readonly nodeId: string;
  readonly status: ClusterStatus | null;
  readonly error?: string;
}

/**
 * `cluster:status`: asks every member for its status over NATS
 * (`<prefix>.internal.<cluster>.<node>.status`) and shows the cluster as the leader sees it:
 * roles, ballot, chosen and applied slots, members reachable, proposals, projections. Without a
 * leader it shows what each node sees and exits 1.
 */
@Command({ name: 'cluster:status', description: 'the cluster as the leader sees it (asks every node over NATS)' })
export class ClusterStatusCommand extends CliCommand<ClusterStatusOptions> {
  @Option({ flags: '--timeout <ms>', description: `how long each node may take to answer (default ${STATUS_TIMEOUT_DEFAULT_MS})` })
  parseTimeout(value: string): string {
    return value;
  }

  protected async execute(out: CliOutput, options: ClusterStatusOptions): Promise<number> {
    const timeout = options.timeout === undefined ? STATUS_TIMEOUT_DEFAULT_MS : Number(options.timeout);
    const nats = await connectNats(this.config);
    let answers: MemberAnswer[];
    try {
      answers = await Promise.all(this.config.members.map((id) => this.ask(nats, id, timeout)));
    } finally {
      await nats.close();
    }
    if (answers.every((a) => a.status === null)) {
      throw new CliFailure(
        `no node of cluster ${this.config.clusterName} answered on NATS at ${this.config.natsUrl} (${this.config.members.join(', ')}): are the nodes running, with the same NATS_URL, CLUSTER_NAME and API_SUBJECT_PREFIX?`,
      );
    }
    const leader = answers.find((a) => a.status?.role === 'leader')?.status ?? null;
    const view = { ok: leader !== null, leaderId: leader?.nodeId ?? null, leader, nodes: answers };
    out.result(view, () => describe(view.leader, answers));
    return leader === null ? EXIT_FAILURE : EXIT_OK;
  }

  private async ask(nats: NatsConnection, nodeId: string, timeout: number): Promise<MemberAnswer> {
    const answer = await askNodeStatus(nats, this.config.apiPrefix, this.config.clusterName, nodeId, timeout);
    return answer.reachable ? { nodeId, status: answer.status } : { nodeId, status: null, error: answer.error };
  }
}

function describe(leader: ClusterStatus | null, answers: readonly MemberAnswer[]): string[] {
  const lines: string[] = [];
  if (leader === null) lines.push('no leader: no node that answered leads (no quorum, or an election is running)');
  else {
    lines.push(
      `leader ${leader.nodeId}, ballot ${leader.ballot}, chosen slot ${leader.chosenSlot}, applied slot ${leader.appliedSlot}, log position ${leader.logPosition}`,
      `proposals: ${leader.proposals.chosen} chosen, ${leader.proposals.failed} failed, ${leader.proposals.inFlight} in flight`,
      `projections: ${leader.projections.map((p) => `${p.name} at ${p.position} (lag ${p.lag})`).join(', ') || 'none'}`,
    );
    const sagas = leader.sagas;
    if (sagas !== undefined && (sagas.open > 0 || sagas.needingOperator.length > 0)) {
      const waiting = sagas.needingOperator.map((s) => `${s.sagaId} at ${s.step}: ${s.reason}`).join('; ');
      lines.push(`sagas: ${sagas.open} open${waiting === '' ? '' : `; needing an operator (POST /api/sagas/<id>/retry): ${waiting}`}`);
    }
  }
  const rows: (string | number)[][] = [['node', 'answered', 'role', 'ballot', 'chosen', 'applied', 'reachable from leader', 'last seen ms']];
  for (const a of answers) {
    const seen = leader?.members.find((m) => m.nodeId === a.nodeId);
    const self = leader?.nodeId === a.nodeId;
    rows.push([
      a.nodeId,
      a.status === null ? `no (${a.error})` : 'yes',
      a.status?.role ?? '-',
      a.status?.ballot ?? '-',
      a.status?.chosenSlot ?? '-',
      a.status?.appliedSlot ?? '-',
      self ? '(leader)' : seen === undefined ? '-' : seen.reachable ? 'yes' : 'no',
      self || seen?.lastSeenMs == null ? '-' : seen.lastSeenMs,
    ]);
  }
  const zones = timeZoneDisagreement(answers);
  if (zones !== null) lines.push(zones);
  return [...lines, '', ...table(rows)];
}

/**
 * A warning when the nodes that answered count days in different school time zones
 * (SCHOOL_TIME_ZONE must be the same on every node), else null. Nodes of a release that does not
 * report the zone are left out.
 *
 * @example timeZoneDisagreement([n1 in 'Asia/Shanghai', n2 in 'UTC']) // 'SCHOOL_TIME_ZONE differs between nodes (n1 Asia/Shanghai, n2 UTC): …'
 */
export function timeZoneDisagreement(answers: readonly { readonly nodeId: string; readonly status: Pick<ClusterStatus, 'schoolTimeZone'> | null }[]): string | null {
  const zones = answers.flatMap((a) => (typeof a.status?.schoolTimeZone === 'string' ? [{ nodeId: a.nodeId, zone: a.status.schoolTimeZone }] : []));
  if (zones.every((z) => sameTimeZone(z.zone, zones[0].zone))) return null;
  return `SCHOOL_TIME_ZONE differs between nodes (${zones.map((z) => `${z.nodeId} ${z.zone}`).join(', ')}): they answer with different school days; set the same zone on every node`;
}
