import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { type ApiCommand, COMMAND_GATEWAY, type CommandGateway } from '../../application/command-gateway';
import type { AsyncCommands } from '../../application/command-queue';
import { scopedCommandId } from '../../application/idempotency';
import type { Actor } from '../../domain';
import { LOG_POSITION_HEADER } from '../../api/min-position';
import { ASYNC_COMMANDS, LEADER_HINTS, type LeaderHints } from './tokens';

/** A write's answer body: the command's result, its id and its log position. */
export type WriteAnswer = Record<string, unknown> & { readonly commandId: string; readonly position: number | null };

/** Header set when an answer repeats the first outcome of its Idempotency-Key. */
export const IDEMPOTENT_REPLAY_HEADER = 'Idempotent-Replayed';

/** Headers of every write answer that tell the client which node leads (to send its next writes there). */
export const LEADER_ID_HEADER = 'X-Leader-Id';
export const LEADER_URL_HEADER = 'X-Leader-Url';

/** The preference that queues a write instead of waiting for its outcome (RFC 7240). */
const RESPOND_ASYNC = 'respond-async';

/** Runs a write through the CommandGateway and shapes its answer for HTTP. */
@Injectable()
export class CommandRunner {
  constructor(
    @Inject(COMMAND_GATEWAY) private readonly gateway: CommandGateway,
    @Inject(ASYNC_COMMANDS) private readonly asyncCommands: AsyncCommands | null,
    @Inject(LEADER_HINTS) private readonly leaders: LeaderHints | null,
  ) {}

  /**
   * Executes `command` for `actor`; sets `X-Log-Position` (and `Idempotent-Replayed` on a repeat).
   *
   * @throws whatever the gateway throws (DomainRefusal, NoQuorumError, UnknownOutcomeError): the filter maps them
   */
  async run(response: Response, command: ApiCommand, actor: Actor, idempotencyKey: string | undefined): Promise<WriteAnswer> {
    this.hintLeader(response); // also on the error answers (a 503 says where to retry)
    if (this.asyncCommands && mayQueue(command) && prefersAsync(response.req?.headers.prefer)) {
      return this.queue(response, command, actor, idempotencyKey === undefined ? randomUUID() : scopedCommandId(actor.username, idempotencyKey));
    }
    const answer = await this.gateway.execute(command, actor, idempotencyKey, { source: 'rest', requestId: requestIdHeader(response) });
    if (answer.position !== null) response.setHeader(LOG_POSITION_HEADER, String(answer.position));
    if (answer.duplicate) response.setHeader(IDEMPOTENT_REPLAY_HEADER, 'true');
    this.hintLeader(response);
    return { ...answer.result, commandId: answer.commandId, position: answer.position };
  }

  /** Sets X-Leader-Id (and X-Leader-Url once known) from what this node knows now. */
  private hintLeader(response: Response): void {
    const hint = this.leaders?.hint();
    if (!hint || hint.leaderId === null) return;
    response.setHeader(LEADER_ID_HEADER, hint.leaderId);
    if (hint.leaderUrl !== null) response.setHeader(LEADER_URL_HEADER, hint.leaderUrl);
    else response.removeHeader(LEADER_URL_HEADER);
  }

  /**
   * Stores the write in the node's durable queue and answers 202 at once: it is proposed when the
   * node counts on a quorum, and `GET /api/commands/:commandId` follows it.
   */
  private async queue(response: Response, command: ApiCommand, actor: Actor, commandId: string): Promise<WriteAnswer> {
    await this.asyncCommands!.enqueue(commandId, command, actor);
    response.status(202);
    response.setHeader('Preference-Applied', RESPOND_ASYNC);
    response.setHeader('Location', `/api/commands/${encodeURIComponent(commandId)}`);
    return { commandId, status: 'pending', position: null };
  }
}

/** The request id the access log middleware gave the request (it sets the response header). */
function requestIdHeader(response: Response): string | undefined {
  const value = response.getHeader?.(REQUEST_ID_RESPONSE_HEADER);
  return typeof value === 'string' ? value : undefined;
}

/** The response header that names the request (set by the observability middleware). */
const REQUEST_ID_RESPONSE_HEADER = 'X-Request-Id';

/** True when a Prefer header asks for respond-async. */
export function prefersAsync(prefer: string | string[] | undefined): boolean {
  const values = Array.isArray(prefer) ? prefer : prefer === undefined ? [] : [prefer];
  return values.some((v) => v.split(',').some((p) => p.trim().split(';')[0].trim().toLowerCase() === RESPOND_ASYNC));
}

/** User commands carry passwords: never stored in the queue, always answered synchronously. */
function mayQueue(command: ApiCommand): boolean {
  return !command.name.startsWith('users.');
}
