import { BadRequestException, HttpException, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { ValidationError } from 'class-validator';
import { AggregateNotLoadedError, AggregatesReloadingError } from '../application/aggregate-store';
import { DomainRefusal } from '../application/domain-refusal';
import { CredentialsBehindError } from '../auth/auth-errors';
import { NoQuorumError, UnknownOutcomeError } from '../application/proposal-errors';

/** One invalid field of a request: its dotted path and what is wrong with it. */
export interface FieldError {
  readonly field: string;
  readonly messages: string[];
}

/** The error body of every API answer (API.md, Errors). */
export interface ApiErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly details?: unknown;
}

/** An error answer: its body and the headers it needs (Retry-After). */
export interface ApiErrorAnswer {
  readonly body: ApiErrorBody;
  readonly headers: Record<string, string>;
  /** True when the error is not one the API expects (log it: it may be a bug). */
  readonly unexpected: boolean;
}

/** Seconds a client should wait before retrying a read whose read model lagged. */
export const READ_MODEL_RETRY_AFTER_SECONDS = 1;

/** Input refused by validation: 400 with the field errors in `details`. */
export class InputInvalidError extends BadRequestException {
  constructor(readonly fields: FieldError[]) {
    super(`invalid input: ${fields.map((f) => f.field).join(', ')}`);
  }
}

/** The message of a request body that is not valid JSON, over REST and NATS alike. */
export const MALFORMED_JSON_MESSAGE = 'request body is not valid JSON';
/** The message of a JSON body that is valid JSON but not an object. */
export const NOT_JSON_OBJECT_MESSAGE = 'body must be a JSON object';

/** A request body that is not valid JSON: 400 in the API's error shape. */
export class MalformedJsonError extends BadRequestException {
  constructor() {
    super(MALFORMED_JSON_MESSAGE);
  }
}

/**
 * The API's error for body-parser's failure to read a JSON body: not JSON at all, or JSON that is
 * not an object or array (its strict mode refuses both alike); undefined for any other error.
 */
export function jsonBodyError(error: unknown): BadRequestException | undefined {
  if (typeof error !== 'object' || error === null || (error as { type?: unknown }).type !== 'entity.parse.failed') return undefined;
  const raw = (error as { body?: unknown }).body;
  if (typeof raw === 'string') {
    try {
      JSON.parse(raw);
      return new BadRequestException(NOT_JSON_OBJECT_MESSAGE);
    } catch {
      // not JSON at all
    }
  }
  return new MalformedJsonError();
}

/** The read model did not reach the asked X-Min-Position in time: 503 with Retry-After. */
export class ReadModelBehindError extends ServiceUnavailableException {
  constructor(position: number) {
    super(`read model behind: position ${position} is not applied yet; retry shortly`);
  }
}

/**
 * A logout this node applied (the token refused here, the cookies cleared) that the cluster has
 * not recorded (no quorum, a timeout, a refusal to write it now): other nodes may still take the
 * token until it expires. 503 with Retry-After.
 */
export class LogoutNotRecordedError extends ServiceUnavailableException {
  constructor(
    reason: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `logged out on this node only: the logout is not yet recorded cluster-wide (${reason}), so other nodes may take the token until it expires; ` +
        'the cookies are cleared; retry with Authorization: Bearer <token> to record it',
    );
  }
}

/** Flattens class-validator errors (nested ones too) to one entry per field. */
export function fieldErrors(errors: readonly ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix === '' ? e.property : `${prefix}.${e.property}`;
    const own = e.constraints === undefined ? [] : [{ field, messages: Object.values(e.constraints) }];
    return [...own, ...fieldErrors(e.children ?? [], field)];
  });
}

/**
 * Maps anything thrown while serving a request to the API's error answer. Unknown errors become a
 * 500 that says nothing of their internals.
 */
export function apiErrorOf(exception: unknown): ApiErrorAnswer {
  if (exception instanceof InputInvalidError) return answer(400, exception.message, { details: exception.fields });
  if (exception instanceof ReadModelBehindError)
    return answer(503, exception.message, { retryAfter: READ_MODEL_RETRY_AFTER_SECONDS });
  if (exception instanceof LogoutNotRecordedError)
    return answer(503, exception.message, { retryAfter: Math.max(1, Math.ceil(exception.retryAfterSeconds)) });
  if (exception instanceof CredentialsBehindError) return answer(503, exception.message, { retryAfter: exception.retryAfterSeconds });
  if (exception instanceof HttpException) return answer(exception.getStatus(), httpExceptionMessage(exception));
  if (exception instanceof DomainRefusal) return answer(exception.status, exception.error.message);
  if (exception instanceof NoQuorumError)
    return answer(503, exception.message, { retryAfter: Math.max(1, Math.ceil(exception.retryAfterSeconds)) });
  if (exception instanceof UnknownOutcomeError)
    return answer(504, exception.message, { details: { commandId: exception.commandId } });
  if (exception instanceof AggregatesReloadingError) return answer(503, exception.message, { retryAfter: 1 });
  // A decision read an aggregate it did not load first (a bug, logged): retryable, never a 500.
  if (exception instanceof AggregateNotLoadedError)
    return { ...answer(503, 'this node has not loaded a record the request needs; retry shortly', { retryAfter: 1 }), unexpected: true };
  const bodyParser = bodyParserError(exception);
  if (bodyParser !== undefined) return bodyParser;
  if (isStatementTimeout(exception))
    return answer(503, 'the read took longer than this node allows (MYSQL_READ_TIMEOUT_MS) and was cut off; retry, or narrow the query', { retryAfter: 1 });
  if (isStorageUnavailable(exception))
    return answer(503, 'storage unavailable: this node cannot reach its database; retry with the same Idempotency-Key', { retryAfter: 1 });
  return { ...answer(500, 'internal error'), unexpected: true };
}

/** Error numbers of a statement the server cut off at its time limit: MariaDB's max_statement_time, MySQL's max_execution_time. */
const STATEMENT_TIMEOUT_ERRNOS: ReadonlySet<number> = new Set([1969, 3024]);

/** True for a read the server cut off at the read pool's statement time limit: 503, the node is fine. */
function isStatementTimeout(exception: unknown): boolean {
  const errno = (exception as { errno?: unknown } | null)?.errno;
  return typeof errno === 'number' && STATEMENT_TIMEOUT_ERRNOS.has(errno);
}

/** Error codes of a MySQL server that is down, restarting or unreachable (not of a bad query). */
const STORAGE_DOWN_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
]);

/**
 * True for the node's database being out of reach (the chaos suite's kill -9 of MariaDB): an
 * operating error that passes, answered 503 with Retry-After rather than a 500.
 */
function isStorageUnavailable(exception: unknown): boolean {
  const code = (exception as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_DOWN_CODES.has(code);
}

function answer(status: number, message: string, extra: { details?: unknown; retryAfter?: number } = {}): ApiErrorAnswer {
  const body: ApiErrorBody = {
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message,
    ...(extra.details === undefined ? {} : { details: extra.details }),
  };
  const headers: Record<string, string> = extra.retryAfter === undefined ? {} : { 'Retry-After': String(extra.retryAfter) };
  return { body, headers, unexpected: false };
}

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** Express body-parser's client errors (http-errors with a `type`): 413 too large, 415 charset, 400 aborted. */
function bodyParserError(exception: unknown): ApiErrorAnswer | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { type, status, limit } = exception as { type?: unknown; status?: unknown; limit?: unknown };
  if (typeof type !== 'string' || typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (type === 'entity.too.large') {
    const bound = typeof limit === 'number' ? ` (limit ${limit} bytes)` : '';
    return answer(HttpStatus.PAYLOAD_TOO_LARGE, `request body is too large${bound}`);
  }
  if (type === 'entity.parse.failed') return answer(400, MALFORMED_JSON_MESSAGE);
  return answer(status, (exception as { message?: unknown }).message?.toString() ?? 'bad request');
}
