import type { Actor, ReasonPolarity } from '../domain';
import type { WriteContext } from './write-metrics';

/** A domain command as the API receives it: its name and its validated body. */
export type ApiCommand =
  | { readonly name: 'users.create'; readonly data: { username: string; password: string; role: string; displayName: string; studentId?: string } }
  | { readonly name: 'users.update'; readonly data: { username: string; role?: string; disabled?: boolean; displayName?: string } }
  | { readonly name: 'users.password'; readonly data: { username: string; password: string } }
  | { readonly name: 'users.classes'; readonly data: { username: string; classes: string[] } }
  /** A logout: only the logout route issues it, with the claims of the token it ends (see sessionEndCommandId). */
  | { readonly name: 'users.logout'; readonly data: { username: string; tokenId: string; expiresAt: string } }
  | { readonly name: 'students.freeze'; readonly data: { studentId: string } }
  | { readonly name: 'students.unfreeze'; readonly data: { studentId: string } }
  | { readonly name: 'students.register'; readonly data: { studentId: string; name: string; className: string; initialScore?: number } }
  | { readonly name: 'students.correct'; readonly data: { studentId: string; name?: string; className?: string } }
  | { readonly name: 'scores.modify'; readonly data: { studentId: string; delta: number; reason: string; reasonCode?: string } }
  | { readonly name: 'applications.submit'; readonly data: { studentId: string; delta: number; reason: string; reasonCode?: string } }
  | { readonly name: 'applications.review'; readonly data: { applicationId: string; decision: 'approve' | 'reject'; comment: string } }
  | { readonly name: 'scores.batch'; readonly data: { changes: { studentId: string; delta: number }[]; reason: string } }
  | { readonly name: 'archives.start'; readonly data: { semester: string; className?: string } }
  | { readonly name: 'sagas.retry'; readonly data: { sagaId: string } }
  | { readonly name: 'reasons.create'; readonly data: { code: string; labelZh: string; labelEn: string; defaultDelta: number; polarity: ReasonPolarity; active?: boolean } }
  | { readonly name: 'reasons.update'; readonly data: { code: string; labelZh?: string; labelEn?: string; defaultDelta?: number; polarity?: ReasonPolarity; active?: boolean } };

/** What a command that applied answers: its log position and the result the API returns. */
export interface CommandAnswer {
  readonly commandId: string;
  /** The position of the command's last event (the one to wait for with X-Min-Position), or null when it had none. */
  readonly position: number | null;
  readonly result: Record<string, unknown>;
  /** True when this answer repeats the first outcome of the same Idempotency-Key. */
  readonly duplicate: boolean;
}

/**
 * Runs domain commands through the log: validates nothing itself (the API did), decides on the
 * leader against current state, proposes, and answers once applied.
 *
 * @throws DomainRefusal (a DomainError: 400/403/404/409/422), NoQuorumError (503), UnknownOutcomeError (504)
 */
export interface CommandGateway {
  /**
   * Runs `command` for `actor`. With an Idempotency-Key, the command id is the key scoped to the
   * actor (scopedCommandId): a retry gets the first answer; the same key with another request is
   * refused (IdempotencyKeyReusedError, 422); another actor's same key is another command.
   * `options` name the write's source and request id (metrics and logs; default source `system`).
   */
  execute(command: ApiCommand, actor: Actor, idempotencyKey?: string, options?: ExecuteOptions): Promise<CommandAnswer>;
  /** Runs `command` under a command id already chosen for it (a queued write's), with the same retry rules. */
  executeAs(command: ApiCommand, actor: Actor, commandId: string, options?: ExecuteOptions): Promise<CommandAnswer>;
}

/** How a command is run besides its body and actor. */
export interface ExecuteOptions extends Partial<WriteContext> {
  /**
   * The command was queued (`Prefer: respond-async`) and its actor was checked when it was taken,
   * not now: the leader checks again that the actor exists, is enabled and holds the same role
   * (and student), and records every refusal in the log under the command id, so its status is
   * answered from the log once the queue has dropped it.
   */
  readonly queued?: boolean;
}

/** Injection token of the CommandGateway. */
export const COMMAND_GATEWAY = Symbol('COMMAND_GATEWAY');
