import {
  BadRequestException,
  ForbiddenException,
  PayloadTooLargeException,
  UnauthorizedException,
} from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { headers as natsHeaders, type Msg } from 'nats';
import { InvalidTokenError } from '../../auth/auth-errors';
import type { AuthService } from '../../auth/auth.service';
import { actorFromHeaders } from '../../auth/nats-auth';
import { type Actor, type Role, hasRole } from '../../domain';
import {
  type ApiErrorBody,
  InputInvalidError,
  MALFORMED_JSON_MESSAGE,
  NOT_JSON_OBJECT_MESSAGE,
  apiErrorOf,
  fieldErrors,
} from '../../api/api-error';
import { parseIdempotencyKey } from '../../api/idempotency-key';
import { assertPlainJson } from '../../api/json-depth';
import { failStopOnAssertion } from '../../shared/fail-stop';

/** Largest request body a public subject accepts (as REST's 16 kB body limit). */
export const PUBLIC_BODY_BYTES_MAX = 16 * 1024;

/** The reply of every public subject (API.md, NATS). */
export type PublicReply = { ok: true; data: unknown; position?: number | null } | { ok: false; error: ApiErrorBody };

/** Any constructable DTO class of the REST API. */
export type DtoClass<T extends object> = new () => T;

/**
 * The request body as a JSON object; an empty body counts as `{}`.
 *
 * @throws PayloadTooLargeException (413) over PUBLIC_BODY_BYTES_MAX, BadRequestException (400) when not a JSON object
 */
export function parseJsonObject(data: Uint8Array, bytesMax = PUBLIC_BODY_BYTES_MAX): Record<string, unknown> {
  if (data.byteLength > bytesMax)
    throw new PayloadTooLargeException(`request body is too large (limit ${bytesMax} bytes)`);
  if (data.byteLength === 0) return {};
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    throw new BadRequestException(MALFORMED_JSON_MESSAGE);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequestException(NOT_JSON_OBJECT_MESSAGE);
  return body as Record<string, unknown>;
}

/**
 * Validates `body` against a REST DTO with the options of the global ValidationPipe (whitelist,
 * unknown fields refused, fields named like Object.prototype members refused at any level, depth
 * bounded by JSON_DEPTH_MAX).
 *
 * @throws InputInvalidError (400, field errors in details), BadRequestException (400) when nested too deeply
 */
export async function validateDto<T extends object>(dto: DtoClass<T>, body: Record<string, unknown>): Promise<T> {
  assertPlainJson(body);
  const instance = plainToInstance(dto, body);
  const errors = await validate(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) throw new InputInvalidError(fieldErrors(errors));
  return instance;
}

/**
 * The caller of a request, allowed only when of `roles`.
 *
 * @throws UnauthorizedException (401) without a valid token, ForbiddenException (403) for another role
 */
export async function authorize(msg: Msg, auth: AuthService, roles: readonly Role[]): Promise<Actor> {
  let actor: Actor;
  try {
    actor = await actorFromHeaders(msg.headers, auth);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw new UnauthorizedException(error.message);
    throw error;
  }
  if (!hasRole(actor, roles)) throw new ForbiddenException(`only ${roles.join(', ')} may do this`);
  return actor;
}

/**
 * The request's `Idempotency-Key` header (the REST rules), or undefined when absent.
 *
 * @throws BadRequestException (400) when present but not 1..128 visible ASCII characters
 */
export function idempotencyKeyOf(msg: Msg): string | undefined {
  const headers = msg.headers;
  if (headers === undefined || !headers.has('Idempotency-Key')) return undefined;
  const values = headers.values('Idempotency-Key');
  return parseIdempotencyKey(values.length === 1 ? values[0] : values);
}

/** The error reply of anything thrown while serving a request (REST's status mapping). */
export function errorReply(error: unknown): PublicReply & { ok: false } {
  const answer = apiErrorOf(error);
  const retryAfter = answer.headers['Retry-After'];
  const body: ApiErrorBody =
    retryAfter !== undefined && answer.body.details === undefined
      ? { ...answer.body, details: { retryAfter: Number(retryAfter) } }
      : answer.body;
  return { ok: false, error: body };
}

/**
 * Answers `msg` with a JSON reply (nothing when it has no reply subject); an error with a
 * `details.retryAfter` also gets a `Retry-After` header. Never throws.
 */
export function reply(msg: Msg, body: PublicReply): void {
  if (!msg.reply) return;
  try {
    const h = natsHeaders();
    h.set('Content-Type', 'application/json');
    const retryAfter = body.ok ? undefined : (body.error.details as { retryAfter?: unknown } | undefined)?.retryAfter;
    if (typeof retryAfter === 'number') h.set('Retry-After', String(retryAfter));
    msg.respond(Buffer.from(JSON.stringify(body)), { headers: h });
  } catch {
    // The connection is closing: the requester times out, as it would had the node died.
  }
}

/** What admits a request before it is served (the node's PublicRequestGate). */
export interface RequestAdmission {
  admit(msg: Msg): { release: () => void } | { refusal: PublicReply & { ok: false } };
}

/**
 * Serves one request: runs `handle` and replies with its answer or the error it threw. A request
 * `gate` does not admit is answered with its refusal and not run.
 * Never throws, never rejects (safe inside a subscription callback); a broken invariant stops the node.
 */
export function serve(msg: Msg, handle: () => Promise<PublicReply>, onUnexpected: (error: unknown) => void, gate?: RequestAdmission): void {
  const admission = gate?.admit(msg);
  if (admission !== undefined && 'refusal' in admission) return reply(msg, admission.refusal);
  const run = async (): Promise<PublicReply> => {
    try {
      return await handle();
    } catch (error) {
      failStopOnAssertion(`NATS request ${msg.subject}`, error);
      const answer = errorReply(error);
      if (answer.error.statusCode >= 500 && answer.error.statusCode !== 503 && answer.error.statusCode !== 504)
        onUnexpected(error);
      return answer;
    }
  };
  void run().then((answer) => {
    admission?.release();
    reply(msg, answer);
  });
}
