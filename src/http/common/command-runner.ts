import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { type ApiCommand, COMMAND_GATEWAY, type CommandGateway } from '../../application/command-gateway';
import type { Actor } from '../../domain';
import { LOG_POSITION_HEADER } from './min-position';

/** A write's answer body: the command's result, its id and its log position. */
export type WriteAnswer = Record<string, unknown> & { readonly commandId: string; readonly position: number | null };

/** Header set when an answer repeats the first outcome of its Idempotency-Key. */
export const IDEMPOTENT_REPLAY_HEADER = 'Idempotent-Replayed';

/** Runs a write through the CommandGateway and shapes its answer for HTTP. */
@Injectable()
export class CommandRunner {
  constructor(@Inject(COMMAND_GATEWAY) private readonly gateway: CommandGateway) {}

  /**
   * Executes `command` for `actor`; sets `X-Log-Position` (and `Idempotent-Replayed` on a repeat).
   *
   * @throws whatever the gateway throws (DomainRefusal, NoQuorumError, UnknownOutcomeError): the filter maps them
   */
  async run(response: Response, command: ApiCommand, actor: Actor, idempotencyKey: string | undefined): Promise<WriteAnswer> {
    const answer = await this.gateway.execute(command, actor, idempotencyKey);
    if (answer.position !== null) response.setHeader(LOG_POSITION_HEADER, String(answer.position));
    if (answer.duplicate) response.setHeader(IDEMPOTENT_REPLAY_HEADER, 'true');
    return { ...answer.result, commandId: answer.commandId, position: answer.position };
  }
}

/** A validated DTO as plain command data: own fields that are set (absent optional ones dropped). */
export function commandData<T extends object>(dto: T): T {
  return Object.fromEntries(Object.entries(dto).filter(([, value]) => value !== undefined)) as T;
}
