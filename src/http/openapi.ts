import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorDto, QueuedWriteDto } from './common/response.dto';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Record<string, unknown> };
type Response = { description: string; content?: Record<string, { schema: Record<string, unknown> }>; headers?: Record<string, unknown> };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const ERROR_REF = { $ref: '#/components/schemas/ErrorDto' };
const QUEUED_REF = { $ref: '#/components/schemas/QueuedWriteDto' };
/** Writes that the web session cannot send without a CSRF token are all non-GET routes but these. */
const NO_CSRF_PATHS = new Set(['/api/auth/login', '/api/auth/logout']);

const header = (description: string, type = 'string') => ({ description, schema: { type } });

/**
 * The node's OpenAPI document, complete: every route's answer schema (from the controllers'
 * decorators), and what the decorators cannot say route by route: the error shape on every error
 * answer, the answer headers (`X-Log-Position`, `Idempotent-Replayed`, `X-Read-Position`,
 * `X-Consistency`, `Retry-After`), the `Prefer: respond-async` 202 of log writes, and the
 * `X-CSRF-Token` header of cookie-authenticated writes.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Behaviour scores')
    .setDescription('A Paxos-replicated, event-sourced API for school behaviour scores. Errors: {statusCode, error, message, details?}.')
    .setVersion('1')
    .addBearerAuth()
    .addCookieAuth('session', { type: 'apiKey', in: 'cookie', name: 'session', description: 'the web session (writes also need X-CSRF-Token)' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorDto, QueuedWriteDto] });
  return completeOpenApiDocument(document);
}

/** Adds the shared parts to every operation (see buildOpenApiDocument); returns the same document. */
export function completeOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation !== undefined) completeOperation(path, method, operation);
    }
  }
  return document;
}

function completeOperation(path: string, method: (typeof METHODS)[number], operation: Operation): void {
  const parameters = (operation.parameters ?? []) as Parameter[];
  const has = (name: string) => parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === name.toLowerCase());
  const logWrite = has('Idempotency-Key');
  const responses = operation.responses as Record<string, Response>;
  if (method !== 'get' && path.startsWith('/api/') && !NO_CSRF_PATHS.has(path) && !has('X-CSRF-Token'))
    parameters.push({ name: 'X-CSRF-Token', in: 'header', required: false, description: 'the csrf cookie\'s value: required when authenticated by the session cookie', schema: { type: 'string' } });
  if (logWrite && !has('Prefer'))
    parameters.push({ name: 'Prefer', in: 'header', required: false, description: '`respond-async`: queue the write durably and answer 202 at once', schema: { type: 'string' } });
  operation.parameters = parameters as Operation['parameters'];
  for (const [status, response] of Object.entries(responses)) {
    const code = Number(status);
    if (code >= 400) {
      response.content ??= { 'application/json': { schema: ERROR_REF } };
      if (code === 503 || code === 429) response.headers = { ...response.headers, 'Retry-After': header('seconds to wait', 'integer') };
    } else if (code >= 200 && code < 300) {
      response.headers = { ...response.headers, ...(logWrite ? writeHeaders() : method === 'get' && path.startsWith('/api/') ? readHeaders() : {}) };
    }
  }
  if (logWrite && !path.startsWith('/api/users') && responses['202'] === undefined)
    responses['202'] = { description: 'queued (Prefer: respond-async); follow Location: /api/commands/:commandId', content: { 'application/json': { schema: QUEUED_REF } } };
  if (path.startsWith('/api/')) {
    responses['401'] ??= { description: 'no or invalid session', content: { 'application/json': { schema: ERROR_REF } } };
    responses.default ??= { description: 'an error (API.md error shape)', content: { 'application/json': { schema: ERROR_REF } } };
  }
}

function writeHeaders(): Record<string, unknown> {
  return {
    'X-Log-Position': header('log position of the write (X-Min-Position for reads that must see it)', 'integer'),
    'Idempotent-Replayed': header('`true` when this repeats the first answer of the Idempotency-Key'),
  };
}

function readHeaders(): Record<string, unknown> {
  return {
    'X-Read-Position': header('the log position the read models had applied', 'integer'),
    'X-Consistency': header('`stale` when this node has no quorum'),
  };
}
