import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument } from '../../../src/http/openapi';
import { openApiDocumentApp } from '../../../src/openapi/openapi-app';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const COMMITTED = join(__dirname, '..', '..', '..', 'web', 'src', 'lib', 'api', 'openapi.json');

type Op = { parameters?: { name: string; in: string }[]; responses: Record<string, { content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> }> };

function operations(document: OpenAPIObject): [string, string, Op][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((m) => [path, m, item[m] as unknown as Op] as [string, string, Op]),
  );
}

describe('the OpenAPI document of a node', () => {
  let app: INestApplication;
  let document: OpenAPIObject;
  beforeAll(async () => {
    app = await openApiDocumentApp();
    document = buildOpenApiDocument(app);
  });
  afterAll(async () => {
    await app.close().catch(() => undefined);
  });

  it('names every route of the API, the stream and the node', () => {
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/auth/login', '/api/auth/me', '/api/stream', '/api/reasons', '/api/cluster/status', '/api/commands/{commandId}', '/api/students/{studentId}/records', '/health/ready']),
    );
  });

  it('gives every route an answer schema (a 204 excepted) and every error answer the error shape', () => {
    const missing: string[] = [];
    for (const [path, method, op] of operations(document)) {
      const ok = Object.entries(op.responses).filter(([code]) => code.startsWith('2'));
      if (ok.length === 0) missing.push(`${method} ${path}: no 2xx`);
      for (const [code, response] of ok) {
        if (code === '204') continue;
        const schemas = Object.values(response.content ?? {}).map((c) => c.schema);
        if (schemas.length === 0 || schemas.some((s) => s === undefined)) missing.push(`${method} ${path} ${code}: no schema`);
      }
      for (const [code, response] of Object.entries(op.responses)) {
        if (code === 'default' || Number(code) >= 400) {
          if (JSON.stringify(response.content) !== JSON.stringify({ 'application/json': { schema: { $ref: '#/components/schemas/ErrorDto' } } }) && path.startsWith('/api/'))
            missing.push(`${method} ${path} ${code}: not the error shape`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(document.components?.schemas?.ErrorDto).toMatchObject({ required: expect.arrayContaining(['statusCode', 'error', 'message']) });
  });

  it('documents the headers: Idempotency-Key, Prefer, X-CSRF-Token, X-Min-Position on requests; X-Log-Position, X-Read-Position, X-Consistency, Retry-After on answers', () => {
    const modify = document.paths['/api/scores/modify'].post as unknown as Op;
    expect(modify.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['Idempotency-Key', 'Prefer', 'X-CSRF-Token']));
    expect(Object.keys(modify.responses['200'].headers ?? {})).toEqual(expect.arrayContaining(['X-Log-Position', 'Idempotent-Replayed']));
    expect(Object.keys(modify.responses['503'].headers ?? {})).toContain('Retry-After');
    expect(modify.responses['202']).toBeDefined();
    const student = document.paths['/api/students/{studentId}'].get as unknown as Op;
    expect(student.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['X-Min-Position']));
    expect(Object.keys(student.responses['200'].headers ?? {})).toEqual(expect.arrayContaining(['X-Read-Position', 'X-Consistency']));
    expect((document.paths['/api/stream'].get as unknown as Op).parameters?.map((p) => p.name)).toContain('Last-Event-ID');
  });

  it('is what web/src/lib/api/openapi.json holds (run `npm run openapi` after changing the API)', () => {
    const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as unknown;
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
  });
});
