import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { requestIdOf } from '../../application/write-metrics';
import { type LogSampling, LogSampler } from '../../shared/log-sampler';

/** The header that names a request: taken from the client when well formed, else made; always answered. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** The route label of a request no route matched (unknown paths, static files). */
export const UNMATCHED_ROUTE = '(unmatched)';

/** What the middleware records into: the node's metrics and its logger. */
export interface HttpObserverSinks {
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  log(level: 'info' | 'warn', fields: Record<string, unknown>, message: string): void;
}

const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
/** Paths are cut to this length in the access log. */
const LOGGED_PATH_MAX = 200;

/**
 * Gives every request an id (`X-Request-Id`, on the response too), times it, and when it ends
 * records its duration by method, route pattern and status, and writes its access log line
 * (sampled, see LogSampler). Call before configureHttpApp, so requests the body parser refuses
 * (413, 400) are seen too.
 */
export function observeHttp(app: INestApplication, sinks: HttpObserverSinks, sampling: LogSampling): void {
  const sampler = new LogSampler(sampling, Date.now);
  app.use((request: Request, response: Response, next: NextFunction) => {
    const started = performance.now();
    const requestId = requestIdOf(request.headers['x-request-id']);
    response.setHeader(REQUEST_ID_HEADER, requestId);
    response.once('close', () => {
      const ms = performance.now() - started;
      const method = METHODS.has(request.method) ? request.method : 'OTHER';
      const route = routeOf(request);
      // A client that went away before the answer: 499, as proxies count it.
      const status = response.writableFinished ? response.statusCode : 499;
      sinks.httpRequest(method, route, status, ms / 1000);
      const decision = sampler.decide(status, ms);
      if (decision === 'skip') return;
      const path = request.originalUrl.split('?')[0].slice(0, LOGGED_PATH_MAX);
      const fields = { event: 'http', requestId, method, route, path, status, ms: Math.round(ms), ip: request.ip, ...(decision === 'sampled' ? { sampled: true } : {}) };
      sinks.log(status >= 500 ? 'warn' : 'info', fields, `${method} ${path} ${status} ${Math.round(ms)} ms`);
    });
    next();
  });
}

/** The pattern of the route that served the request (e.g. `/api/students/:studentId`), never its URL. */
export function routeOf(request: Request): string {
  const path: unknown = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${request.baseUrl}${path}` : UNMATCHED_ROUTE;
}
