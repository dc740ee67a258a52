import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { headers as natsHeaders, type Msg, type Subscription } from 'nats';
import { randomUUID } from 'node:crypto';
import { NoQuorumError, UnknownOutcomeError } from '../application/proposal-errors';
import type { ConsensusNode } from '../node/consensus-node';
import { CONSENSUS_NODE } from '../node/node.tokens';
import { NodeMetrics } from '../node/node-metrics';
import { FORWARD_HOPS_HEADER, FORWARD_HOPS_MAX, LeaderForwarder, forwardHopsOf, internalCommandSubject } from './leader-forwarding';
import { PublicRequestGate } from './public/public-request-gate';

/** Largest payload one append carries. */
export const APPEND_PAYLOAD_BYTES_MAX = 16 * 1024;
/** The subject, after the API prefix (`behavior.cmd.log.append` by default). */
export const LOG_APPEND_COMMAND = 'cmd.log.append';
/** The node environment variable that turns the benchmark's log.append on. */
export const BENCH_LOG_APPEND_ENV = 'BENCH_LOG_APPEND';
/**
 * Distinct `log` streams a node takes appends for: every stream's version stays in each node's
 * memory, so past this many a new stream name is refused (a stream already in the log is not).
 */
export const LOG_STREAMS_MAX = 10_000;
const STREAM_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * `behavior.cmd.log.append`, the benchmark's write (also the cluster tests'): appends one opaque
 * record to the replicated log, with no token. Not part of the public API: served only by nodes
 * started with BENCH_LOG_APPEND=1 (the benchmark and the cluster tests set it), and the shipped
 * NATS permissions let no client user publish it. Body `{stream, data}`, a stream name of 1-128
 * [A-Za-z0-9_.:-] and at most LOG_STREAMS_MAX distinct streams; optional header
 * `Idempotency-Key`. Replies `{ok: true, data: {commandId, slot, position, duplicate}, position}`
 * once chosen and applied here.
 */
@Injectable()
export class LogAppendHandler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly subscriptions: Subscription[] = [];
  private forwarder: LeaderForwarder | undefined;
  private publicSubscription: { close(): void } | undefined;

  constructor(
    @Inject(CONSENSUS_NODE) private readonly node: ConsensusNode,
    private readonly metrics: NodeMetrics,
    private readonly gate: PublicRequestGate,
  ) {}

  onApplicationBootstrap(): void {
    const { nats, config } = this.node;
    if (!config.benchLogAppend) return;
    this.forwarder = new LeaderForwarder(this.node);
    this.publicSubscription = this.node.publicQueue.subscribe(`${config.apiPrefix}.${LOG_APPEND_COMMAND}`, `${config.apiPrefix}-nodes`, (_err, msg) => this.admit(msg));
    this.subscriptions.push(
      nats.subscribe(internalCommandSubject(config.apiPrefix, config.clusterName, config.nodeId, 'log.append'), { callback: (_err, msg) => this.route(msg) }),
    );
  }

  onApplicationShutdown(): void {
    this.forwarder?.close();
    this.publicSubscription?.close();
    for (const s of this.subscriptions) s.unsubscribe();
  }

  /** A client's request: within the node's cap on requests at once, else refused at once. */
  private admit(msg: Msg): void {
    const admission = this.gate.admit(msg);
    if ('refusal' in admission) return reply(msg, admission.refusal);
    this.route(msg, admission.release);
  }

  /** Bad input is refused here; a valid request goes to the leader, which answers the client. */
  private route(msg: Msg, release: () => void = () => undefined): void {
    const answer = (body: unknown) => {
      release();
      reply(msg, body);
    };
    const hops = forwardHopsOf(msg.headers);
    if (hops === null) return answer({ ok: false, error: { statusCode: 400, error: 'Bad Request', message: `${FORWARD_HOPS_HEADER} must be 0..${FORWARD_HOPS_MAX}` } });
    const body = parseBody(msg.data);
    if (typeof body === 'string') return answer({ ok: false, error: { statusCode: 400, error: 'Bad Request', message: body } });
    const { events } = this.node;
    if (events.streamCount('log') >= LOG_STREAMS_MAX && events.streamVersion('log', body.stream) === 0) {
      return answer({ ok: false, error: { statusCode: 422, error: 'Unprocessable Entity', message: `the log holds ${LOG_STREAMS_MAX} streams already: append to one of them` } });
    }
    const key = msg.headers?.get('Idempotency-Key') ?? '';
    if (key.length > 128) return answer({ ok: false, error: { statusCode: 400, error: 'Bad Request', message: 'Idempotency-Key is longer than 128 characters' } });
    const commandId = key || randomUUID();
    const runHere = () => void this.handle(body, commandId).then(answer);
    if (this.forwarder!.forward(msg, 'log.append', commandId, runHere) === 'here') runHere();
    else release();
  }

  private async handle(body: { stream: string; data: unknown }, commandId: string): Promise<unknown> {
    const payload = JSON.stringify({ events: [{ streamType: 'log', streamId: body.stream, type: 'RecordAppended', schemaVersion: 1, data: body.data }] });
    const started = performance.now();
    try {
      const outcome = await this.node.proposals.propose({ id: commandId, payload });
      this.metrics.observeCommit((performance.now() - started) / 1000);
      const data = { commandId, slot: outcome.slot, position: outcome.firstPosition ?? null, duplicate: outcome.duplicate ?? false };
      return { ok: true, data, position: outcome.firstPosition };
    } catch (error) {
      this.metrics.proposalFailed(error instanceof NoQuorumError ? 'no-quorum' : 'timeout');
      return { ok: false, error: errorBody(error) };
    }
  }
}

function parseBody(data: Uint8Array): { stream: string; data: unknown } | string {
  if (data.byteLength > APPEND_PAYLOAD_BYTES_MAX) return `body larger than ${APPEND_PAYLOAD_BYTES_MAX} bytes`;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return 'body is not JSON';
  }
  if (typeof body !== 'object' || body === null) return 'body must be an object';
  const { stream, data: record, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return `unknown fields: ${Object.keys(rest).join(', ')}`;
  if (typeof stream !== 'string' || !STREAM_NAME.test(stream)) return 'stream must be 1-128 characters of [A-Za-z0-9_.:-]';
  return { stream, data: record ?? null };
}

function errorBody(error: unknown) {
  if (error instanceof NoQuorumError) return { statusCode: 503, error: 'Service Unavailable', message: error.message, details: { retryAfter: error.retryAfterSeconds } };
  if (error instanceof UnknownOutcomeError) return { statusCode: 504, error: 'Gateway Timeout', message: error.message };
  return { statusCode: 500, error: 'Internal Server Error', message: 'internal error' };
}

function reply(msg: Msg, body: unknown): void {
  if (!msg.reply) return;
  const h = natsHeaders();
  h.set('Content-Type', 'application/json');
  const retryAfter = (body as { error?: { details?: { retryAfter?: unknown } } }).error?.details?.retryAfter;
  if (typeof retryAfter === 'number') h.set('Retry-After', String(retryAfter));
  msg.respond(Buffer.from(JSON.stringify(body)), { headers: h });
}
