import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { headers as natsHeaders, type Msg, type Subscription } from 'nats';
import { randomUUID } from 'node:crypto';
import { NoQuorumError, UnknownOutcomeError } from '../application/proposal-errors';
import type { ConsensusNode } from '../node/consensus-node';
import { CONSENSUS_NODE } from '../node/node.tokens';
import { NodeMetrics } from '../http/metrics/node-metrics';
import { LeaderForwarder, internalCommandSubject } from './leader-forwarding';

/** Largest payload one append carries. */
export const APPEND_PAYLOAD_BYTES_MAX = 16 * 1024;
/** The public subject, after the API prefix (`behavior.cmd.log.append` by default). */
export const LOG_APPEND_COMMAND = 'cmd.log.append';

/**
 * `behavior.cmd.log.append`: appends one opaque record to the replicated log (the benchmark's and
 * the cluster tests' write). Body `{stream, data}`; optional header `Idempotency-Key`. Replies
 * `{ok: true, data: {commandId, slot, position, duplicate}, position}` once chosen and applied here.
 */
@Injectable()
export class LogAppendHandler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly subscriptions: Subscription[] = [];
  private readonly forwarder: LeaderForwarder;
  private publicSubscription: { close(): void } | undefined;

  constructor(
    @Inject(CONSENSUS_NODE) private readonly node: ConsensusNode,
    private readonly metrics: NodeMetrics,
  ) {
    this.forwarder = new LeaderForwarder(node);
  }

  onApplicationBootstrap(): void {
    const { nats, config } = this.node;
    this.publicSubscription = this.node.publicQueue.subscribe(`${config.apiPrefix}.${LOG_APPEND_COMMAND}`, `${config.apiPrefix}-nodes`, (_err, msg) => this.route(msg));
    this.subscriptions.push(
      nats.subscribe(internalCommandSubject(config.apiPrefix, config.clusterName, config.nodeId, 'log.append'), { callback: (_err, msg) => this.route(msg) }),
    );
  }

  onApplicationShutdown(): void {
    this.forwarder.close();
    this.publicSubscription?.close();
    for (const s of this.subscriptions) s.unsubscribe();
  }

  /** Bad input is refused here; a valid request goes to the leader, which answers the client. */
  private route(msg: Msg): void {
    const body = parseBody(msg.data);
    if (typeof body === 'string') return reply(msg, { ok: false, error: { statusCode: 400, error: 'Bad Request', message: body } });
    const key = msg.headers?.get('Idempotency-Key') ?? '';
    if (key.length > 128) return reply(msg, { ok: false, error: { statusCode: 400, error: 'Bad Request', message: 'Idempotency-Key is longer than 128 characters' } });
    const commandId = key || randomUUID();
    const runHere = () => void this.handle(msg, body, commandId);
    if (this.forwarder.forward(msg, 'log.append', commandId, runHere) === 'here') runHere();
  }

  private async handle(msg: Msg, body: { stream: string; data: unknown }, commandId: string): Promise<void> {
    const payload = JSON.stringify({ events: [{ streamType: 'log', streamId: body.stream, type: 'RecordAppended', schemaVersion: 1, data: body.data }] });
    const started = performance.now();
    try {
      const outcome = await this.node.proposals.propose({ id: commandId, payload });
      this.metrics.observeCommit((performance.now() - started) / 1000);
      const data = { commandId, slot: outcome.slot, position: outcome.firstPosition ?? null, duplicate: outcome.duplicate ?? false };
      reply(msg, { ok: true, data, position: outcome.firstPosition });
    } catch (error) {
      reply(msg, { ok: false, error: errorBody(error) });
      this.metrics.proposalFailed(error instanceof NoQuorumError ? 'no-quorum' : 'timeout');
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
  if (typeof stream !== 'string' || !/^[A-Za-z0-9_.:-]{1,128}$/.test(stream)) return 'stream must be 1-128 characters of [A-Za-z0-9_.:-]';
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
  msg.respond(Buffer.from(JSON.stringify(body)), { headers: h });
}
