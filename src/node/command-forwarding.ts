import { type Msg, type NatsConnection, type Subscription, headers as natsHeaders } from 'nats';
import { AggregateNotLoadedError, AggregatesReloadingError } from '../application/aggregate-store';
import type { ApiCommand, CommandAnswer } from '../application/command-gateway';
import type { CommandService } from '../application/command-service';
import { DomainRefusal } from '../application/domain-refusal';
import { IdempotencyKeyReusedError } from '../application/idempotency';
import { NoQuorumError, UnknownOutcomeError } from '../application/proposal-errors';
import type { Actor } from '../domain';
import type { LogSampler } from '../shared/log-sampler';
import { requestIdOf } from '../application/write-metrics';
import { failStopOnAssertion } from '../shared/fail-stop';

/** The NATS header that carries a write's request id from the node it arrived at to the leader. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Where the leader logs the forwarded commands it serves (sampled like the access log). */
export interface ForwardedLog {
  readonly sampler: LogSampler;
  readonly log: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
}

/** How long a follower waits for the leader's answer to a command it handed on. */
const FORWARD_TIMEOUT_MS = 12_000;

interface Forwarded {
  command: ApiCommand;
  actor: Actor;
  commandId: string;
  /** A queued command: the leader checks its actor again (ExecuteOptions.queued). */
  queued?: boolean;
}

type ForwardReply =
  | { ok: true; answer: CommandAnswer }
  | { ok: false; kind: 'refusal'; error: DomainRefusal['error'] }
  | { ok: false; kind: 'key-reused' }
  | { ok: false; kind: 'no-quorum' }
  | { ok: false; kind: 'unknown' };

/** The subject on which a node takes domain commands its peers hand on (nodes only). */
export function commandSubject(prefix: string, cluster: string, nodeId: string): string {
  return `${prefix}.internal.${cluster}.${nodeId}.command`;
}

/**
 * Serves commands handed on by peers: decides them here and answers with the outcome or the typed
 * error. Each one is logged (sampled) with the request id it came with, so a write sent to a
 * follower can be followed into the leader's log.
 */
export function serveForwardedCommands(nats: NatsConnection, subject: string, service: () => CommandService, log?: ForwardedLog): Subscription {
  return nats.subscribe(subject, {
    callback: (_err, msg) => {
      let forwarded: Forwarded;
      try {
        forwarded = JSON.parse(Buffer.from(msg.data).toString('utf8')) as Forwarded;
      } catch {
        return;
      }
      const started = performance.now();
      const requestId = requestIdOf(msg.headers?.get(REQUEST_ID_HEADER));
      void service()
        .decideHere(forwarded.command, forwarded.actor, forwarded.commandId, { queued: forwarded.queued === true })
        .then(
          (answer) => ({ ok: true, answer }) as const,
          (error: unknown) => (failStopOnAssertion('forwarded command', error) ? null : replyOfError(error)),
        )
        .then((reply) => {
          if (reply === null) return;
          respond(msg, reply);
          if (log) logForwarded(log, forwarded, requestId, reply, performance.now() - started);
        });
    },
  });
}

/** The leader's line for a forwarded command: its request id, command, outcome and duration. */
function logForwarded(log: ForwardedLog, forwarded: Forwarded, requestId: string, reply: ForwardReply, ms: number): void {
  const status = reply.ok ? 200 : reply.kind === 'refusal' ? 400 : reply.kind === 'no-quorum' ? 503 : 504;
  const decision = log.sampler.decide(status, ms);
  if (decision === 'skip') return;
  const outcome = reply.ok ? 'applied' : reply.kind;
  const fields = { event: 'forwarded-command', requestId, commandId: forwarded.commandId, command: forwarded.command.name, outcome, ms: Math.round(ms), ...(decision === 'sampled' ? { sampled: true } : {}) };
  log.log(reply.ok || reply.kind === 'refusal' ? 'info' : 'warn', `forwarded ${forwarded.command.name} ${outcome} in ${Math.round(ms)} ms (request ${requestId})`, fields);
}

/** Hands a command to the leader; null when it does not answer (no responders, timeout). */
export async function forwardCommand(nats: NatsConnection, subject: string, forwarded: Forwarded, requestId?: string): Promise<CommandAnswer | null> {
  let reply: ForwardReply;
  try {
    const headers = natsHeaders();
    if (requestId !== undefined) headers.set(REQUEST_ID_HEADER, requestId);
    const msg = await nats.request(subject, Buffer.from(JSON.stringify(forwarded)), { timeout: FORWARD_TIMEOUT_MS, headers });
    reply = JSON.parse(Buffer.from(msg.data).toString('utf8')) as ForwardReply;
  } catch {
    return null;
  }
  if (reply.ok) return reply.answer;
  if (reply.kind === 'key-reused') throw new IdempotencyKeyReusedError();
  if (reply.kind === 'refusal') throw new DomainRefusal(reply.error);
  if (reply.kind === 'no-quorum') throw new NoQuorumError(1);
  throw new UnknownOutcomeError(forwarded.commandId);
}

function replyOfError(error: unknown): ForwardReply {
  if (error instanceof IdempotencyKeyReusedError) return { ok: false, kind: 'key-reused' };
  if (error instanceof DomainRefusal) return { ok: false, kind: 'refusal', error: error.error };
  // Nothing was proposed: the leader could not decide now (no quorum, or states not in memory); retryable.
  if (error instanceof NoQuorumError || error instanceof AggregatesReloadingError || error instanceof AggregateNotLoadedError) return { ok: false, kind: 'no-quorum' };
  return { ok: false, kind: 'unknown' };
}

function respond(msg: Msg, reply: ForwardReply): void {
  if (msg.reply) msg.respond(Buffer.from(JSON.stringify(reply)));
}
