import type { Msg, NatsConnection, Subscription } from 'nats';
import type { ApiCommand, CommandAnswer } from '../application/command-gateway';
import type { CommandService } from '../application/command-service';
import { DomainRefusal } from '../application/domain-refusal';
import { IdempotencyKeyReusedError } from '../application/idempotency';
import { NoQuorumError, UnknownOutcomeError } from '../application/proposal-errors';
import type { Actor } from '../domain';

/** How long a follower waits for the leader's answer to a command it handed on. */
const FORWARD_TIMEOUT_MS = 12_000;

interface Forwarded {
  command: ApiCommand;
  actor: Actor;
  commandId: string;
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

/** Serves commands handed on by peers: decides them here and answers with the outcome or the typed error. */
export function serveForwardedCommands(nats: NatsConnection, subject: string, service: () => CommandService): Subscription {
  return nats.subscribe(subject, {
    callback: (_err, msg) => {
      let forwarded: Forwarded;
      try {
        forwarded = JSON.parse(Buffer.from(msg.data).toString('utf8')) as Forwarded;
      } catch {
        return;
      }
      void service()
        .decideHere(forwarded.command, forwarded.actor, forwarded.commandId)
        .then((answer) => respond(msg, { ok: true, answer }))
        .catch((error: unknown) => respond(msg, replyOfError(error)));
    },
  });
}

/** Hands a command to the leader; null when it does not answer (no responders, timeout). */
export async function forwardCommand(nats: NatsConnection, subject: string, forwarded: Forwarded): Promise<CommandAnswer | null> {
  let reply: ForwardReply;
  try {
    const msg = await nats.request(subject, Buffer.from(JSON.stringify(forwarded)), { timeout: FORWARD_TIMEOUT_MS });
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
  if (error instanceof NoQuorumError) return { ok: false, kind: 'no-quorum' };
  return { ok: false, kind: 'unknown' };
}

function respond(msg: Msg, reply: ForwardReply): void {
  if (msg.reply) msg.respond(Buffer.from(JSON.stringify(reply)));
}
