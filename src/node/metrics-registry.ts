import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WriteFailure, WriteKind, WriteObserver, WriteOutcome, WriteSource } from '../application/write-metrics';
import type { ReplicaStatus } from '../consensus';
import type { NatsConnectionState } from '../infra/nats/connection';
import { WrittenTimes } from './written-times';

/** Latency buckets of writes and HTTP requests, in seconds (0.5 ms .. 10 s). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Acceptor persists are single MySQL commits: finer at the low end. */
const PERSIST_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** What the gauges read from the running node when scraped. */
export interface WatchedNode {
  readonly tickMs: number;
  status(): ReplicaStatus;
  /** Protocol messages dropped so far, by reason. */
  dropped(): Readonly<Record<string, number>>;
  /** The node's committed log head (position). */
  logHead(): number;
  /** Each projection's checkpoint. */
  projections(): readonly { readonly name: string; readonly position: number }[];
  sagasOpen(): number;
  sagasNeedingOperator(): number;
  /** `Prefer: respond-async` writes waiting to be proposed. */
  queuedCommands(): Promise<number>;
  natsState(): Readonly<NatsConnectionState> | undefined;
  hasQuorum(): boolean;
}

/**
 * Every Prometheus metric of a node, in one registry (served at `/metrics`). Names follow the
 * Prometheus conventions: `behavior_` prefix, base units (seconds), `_total` for counters. Label
 * values come from fixed sets (write sources and kinds, route patterns, members), never from
 * input. Events (writes, persists, HTTP requests) are recorded as they happen; the node's state
 * is read when scraped, once `watch` is called.
 */
export class MetricsRegistry implements WriteObserver {
  readonly registry = new Registry();
  private readonly commitLatency: Histogram<'source' | 'command' | 'outcome'>;
  private readonly proposalsFailed: Counter<'source' | 'command' | 'reason'>;
  private readonly persistLatency: Histogram;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly leaderChanges: Counter;
  private readonly writtenTimes = new WrittenTimes();
  private failedTotal = 0;

  /** `gitCommit`: the commit `behavior_build_info` reports (GIT_COMMIT); unset, the checkout's HEAD. */
  constructor(gitCommit?: string) {
    const registers = [this.registry];
    // prom-client samples event-loop delay with a 10 ms timer by default: 100 wakeups a second of
    // an idle node. A coarser sample still catches every stall longer than it.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    this.commitLatency = new Histogram({
      name: 'behavior_commit_latency_seconds',
      help: 'Writes answered, from arrival on this node to their outcome (applied or refused), by source and command',
      labelNames: ['source', 'command', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.proposalsFailed = new Counter({
      name: 'behavior_proposals_failed_total',
      help: 'Writes that got no answer (no quorum, outcome unknown, error), by source, command and reason',
      labelNames: ['source', 'command', 'reason'],
      registers,
    });
    this.persistLatency = new Histogram({ name: 'behavior_acceptor_persist_seconds', help: 'Acceptor persists (promise and accepts, one MySQL transaction) before answering', buckets: PERSIST_BUCKETS, registers });
    this.httpDuration = new Histogram({
      name: 'behavior_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.leaderChanges = new Counter({ name: 'behavior_leader_changes_total', help: 'Times this node saw the leader change', registers });
    const build = buildInfo(gitCommit);
    new Gauge({ name: 'behavior_build_info', help: 'The running build: version, git commit and Node.js version (always 1)', labelNames: ['version', 'commit', 'node_version'], registers }).set(build, 1);
  }

  answered(source: WriteSource, command: WriteKind, outcome: WriteOutcome, seconds: number): void {
    this.commitLatency.observe({ source, command, outcome }, seconds);
  }

  failed(source: WriteSource, command: WriteKind, reason: WriteFailure): void {
    this.failedTotal += 1;
    this.proposalsFailed.inc({ source, command, reason });
  }

  /** Writes that got no answer since start (the cluster status shows it). */
  get failedCount(): number {
    return this.failedTotal;
  }

  /** One acceptor persist's duration. */
  persisted(seconds: number): void {
    this.persistLatency.observe(seconds);
  }

  /** This node saw the leader change. */
  leaderChanged(): void {
    this.leaderChanges.inc();
  }

  /** One HTTP request; `route` is the matched pattern (never the raw URL). */
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** The log reached `head` now (for projection lag in seconds). */
  written(head: number): void {
    this.writtenTimes.written(head, Date.now());
  }

  /** Registers the gauges and counters read from the node when scraped. */
  watch(node: WatchedNode): void {
    this.watchConsensus(node);
    this.watchReadSide(node);
  }

  /** Watermarks, leadership, peers, protocol drops and the NATS connection. */
  private watchConsensus(node: WatchedNode): void {
    const registers = [this.registry];
    const status = () => node.status();
    new Gauge({ name: 'behavior_slots_chosen', help: 'Chosen watermark', registers, collect() { this.set(status().chosenWatermark); } });
    new Gauge({ name: 'behavior_slots_applied', help: 'Applied watermark', registers, collect() { this.set(status().appliedWatermark); } });
    new Gauge({ name: 'behavior_apply_lag_slots', help: 'Chosen minus applied slots', registers, collect() { const s = status(); this.set(s.chosenWatermark - s.appliedWatermark); } });
    new Gauge({ name: 'behavior_is_leader', help: '1 when this node leads', registers, collect() { this.set(status().role === 'leader' ? 1 : 0); } });
    new Gauge({ name: 'behavior_leader_known', help: '1 when this node knows a leader', registers, collect() { this.set(status().leaderId === null ? 0 : 1); } });
    new Gauge({ name: 'behavior_has_quorum', help: '1 when this node counts on a quorum (writes can succeed)', registers, collect() { this.set(node.hasQuorum() ? 1 : 0); } });
    new Gauge({
      name: 'behavior_peer_last_heard_seconds',
      help: 'Seconds since this node last heard each peer (-1: never)',
      labelNames: ['peer'],
      registers,
      collect() {
        for (const p of status().peers) this.set({ peer: p.nodeId }, p.silentTicks === null ? -1 : (p.silentTicks * node.tickMs) / 1000);
      },
    });
    monotonic('behavior_elections_total', 'Elections this node started', () => ({ '': status().counters.elections }), registers);
    monotonic('behavior_protocol_messages_dropped_total', 'Protocol messages dropped, by reason', () => node.dropped(), registers, 'reason');
    monotonic('behavior_nats_reconnects_total', 'Reconnects of the NATS connection', () => ({ '': node.natsState()?.reconnects ?? 0 }), registers);
    new Gauge({ name: 'behavior_nats_connected', help: '1 while the NATS connection is up', registers, collect() { this.set(node.natsState()?.connected ? 1 : 0); } });
  }

  /** Projection lag, sagas and the respond-async queue. */
  private watchReadSide(node: WatchedNode): void {
    const registers = [this.registry];
    const times = this.writtenTimes;
    new Gauge({
      name: 'behavior_projection_lag_events',
      help: 'Events committed to the log and not yet applied by the projection',
      labelNames: ['projection'],
      registers,
      collect() {
        const head = node.logHead();
        for (const p of node.projections()) this.set({ projection: p.name }, Math.max(0, head - p.position));
      },
    });
    new Gauge({
      name: 'behavior_projection_lag_seconds',
      help: 'Seconds since the oldest event the projection has not applied was committed (0 when caught up)',
      labelNames: ['projection'],
      registers,
      collect() {
        const now = Date.now();
        const projections = node.projections();
        for (const p of projections) this.set({ projection: p.name }, times.lagSeconds(p.position, now));
        if (projections.length > 0) times.forget(Math.min(...projections.map((p) => p.position)));
      },
    });
    new Gauge({ name: 'behavior_sagas_open', help: 'Sagas not yet ended', registers, collect() { this.set(node.sagasOpen()); } });
    new Gauge({ name: 'behavior_sagas_needing_operator', help: 'Sagas whose compensation failed and that wait for an operator retry', registers, collect() { this.set(node.sagasNeedingOperator()); } });
    new Gauge({
      name: 'behavior_queued_commands',
      help: 'Prefer: respond-async writes waiting in this node queue',
      registers,
      // A scrape must answer while MySQL does not: the gauge then keeps its last value.
      async collect() {
        const depth = await withinMs(node.queuedCommands(), QUEUE_COUNT_WAIT_MS).catch(() => undefined);
        if (depth !== undefined) this.set(depth);
      },
    });
  }
}

/** How often the event-loop delay is sampled for `nodejs_eventloop_lag_*`. */
export const EVENT_LOOP_SAMPLE_MS = 200;

/** How long a scrape waits for the queue's depth from MySQL. */
const QUEUE_COUNT_WAIT_MS = 1000;

/** `promise`'s value, or undefined when it takes longer than `ms`. */
async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A counter that follows a cumulative count kept elsewhere (the transport's drops, the replica's
 * elections): each scrape adds what it grew by. `label` '' means an unlabelled counter.
 */
function monotonic(name: string, help: string, read: () => Readonly<Record<string, number>>, registers: Registry[], label?: string): void {
  const last = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames: label ? [label] : [],
    registers,
    collect() {
      for (const [key, value] of Object.entries(read())) {
        const grown = value - (last.get(key) ?? 0);
        if (label) {
          if (grown > 0 || !last.has(key)) this.inc({ [label]: key }, Math.max(0, grown));
        } else if (grown > 0) this.inc(grown);
        last.set(key, value);
      }
    },
  });
}

/** Version (package.json), git commit (`gitCommit`, the node's GIT_COMMIT; else the checkout's HEAD, else "unknown") and Node version. */
export function buildInfo(gitCommit?: string): { version: string; commit: string; node_version: string } {
  return { version: packageVersion(), commit: gitCommit || gitHead() || 'unknown', node_version: process.version };
}

function packageVersion(): string {
  for (let dir = __dirname, i = 0; i < 6; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'behavior-paxos' && pkg.version) return pkg.version;
    } catch {
      return 'unknown';
    }
  }
  return 'unknown';
}

/** The commit of the checkout the node runs from, when it runs from one and git is there. */
function gitHead(): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: __dirname, timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = out.toString('utf8').trim();
    return /^[0-9a-f]{7,40}$/.test(commit) ? commit : null;
  } catch {
    return null;
  }
}
