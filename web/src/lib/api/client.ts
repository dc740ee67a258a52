import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { addPendingWrite, noteConsistency, notePosition, seenLogPosition } from './consistency';
import { CSRF_HEADER, readCsrfToken } from './csrf';
import type { ApiErrorBody, WriteAnswer } from './types';

/**
 * The one API client of the app: openapi-fetch over the node's own OpenAPI document
 * (`npm run web:api-types` regenerates `schema.d.ts` from `openapi.json`). The session is the
 * HttpOnly cookie; writes echo the CSRF token; every answer tells the quorum banner what it saw.
 */
export const api: Client<paths> = createClient<paths>({
  baseUrl: typeof location === 'undefined' ? '' : location.origin,
  credentials: 'same-origin',
  // Looked up per call, not captured once: tests and extensions may replace fetch.
  fetch: (request: Request) => globalThis.fetch(request),
});

/** An error answer of the API, with its status and `{statusCode, error, message, details?}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | undefined,
  ) {
    super(errorText(status, body));
    this.name = 'ApiError';
  }
}

/** A write the node queued (no quorum): it applies later, the app shows it as pending. */
export interface QueuedWrite {
  queued: true;
  commandId: string;
}

let onUnauthorized: () => void = () => {};

/** Who to tell when a signed-in call answers 401 (the session expired): the app returns to login. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    if (WRITE_METHODS.has(request.method)) {
      const token = readCsrfToken();
      if (token !== undefined) request.headers.set(CSRF_HEADER, token);
    } else if (seenLogPosition() > 0) {
      request.headers.set('X-Min-Position', String(seenLogPosition()));
    }
    return request;
  },
  onResponse({ request, response }) {
    const isWrite = WRITE_METHODS.has(request.method);
    const position = Number(response.headers.get('X-Log-Position') ?? NaN);
    if (isWrite && response.ok) notePosition(position);
    if (!isWrite && response.ok) noteConsistency(response.headers.get('X-Consistency') === 'stale');
    if (isWrite && response.status === 503) noteConsistency(true);
    if (isWrite && response.ok && response.status !== 202) noteConsistency(false);
    if (response.status === 401 && !new URL(request.url, 'http://x').pathname.startsWith('/api/auth/')) onUnauthorized();
    return response;
  },
};
api.use(sessionMiddleware);

// The typed client checks paths and bodies; these helpers are the few shapes every feature uses.
const loose = api as unknown as Client<Record<string, never>>;
type Query = Record<string, string | number | boolean | undefined>;

/** GET `path` and its JSON answer; throws ApiError on an error status. */
export async function getJson<T>(path: string, query?: Query): Promise<T> {
  const { data, error, response } = await (loose.GET as AnyCall)(path, { params: { query: clean(query) } });
  if (!response.ok) throw new ApiError(response.status, error as ApiErrorBody | undefined);
  return data as T;
}

/**
 * A write with an Idempotency-Key. Without a quorum (503) it is sent again, same key, with
 * `Prefer: respond-async`: the node queues it (202) and the app shows it as pending.
 */
export async function sendJson<T = WriteAnswer>(
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  label = path,
): Promise<T | QueuedWrite> {
  const key = newIdempotencyKey();
  const call = (loose as unknown as Record<string, AnyCall>)[method];
  const first = await call(path, { body, headers: { 'Idempotency-Key': key } });
  if (first.response.ok) return first.data as T;
  if (first.response.status !== 503) throw new ApiError(first.response.status, first.error as ApiErrorBody | undefined);
  const queued = await call(path, { body, headers: { 'Idempotency-Key': key, Prefer: 'respond-async' } });
  if (queued.response.status === 202 && queued.response.headers.get('Preference-Applied') !== null) {
    const commandId = (queued.data as WriteAnswer | undefined)?.commandId ?? key;
    addPendingWrite(commandId, label);
    return { queued: true, commandId };
  }
  if (queued.response.ok) return queued.data as T;
  throw new ApiError(queued.response.status, queued.error as ApiErrorBody | undefined);
}

/** True when a write was queued rather than applied. */
export function isQueued(answer: unknown): answer is QueuedWrite {
  return typeof answer === 'object' && answer !== null && (answer as QueuedWrite).queued === true;
}

type AnyCall = (path: string, init: Record<string, unknown>) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

function clean(query: Query | undefined): Record<string, string | number | boolean> | undefined {
  if (query === undefined) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

function newIdempotencyKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `k-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function errorText(status: number, body: ApiErrorBody | undefined): string {
  if (body === undefined) return `HTTP ${status}`;
  return Array.isArray(body.message) ? body.message.join('; ') : body.message;
}

/** `encodeURIComponent` for one path segment. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
