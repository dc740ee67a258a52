import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { HttpApiModule, configureHttpApp } from '../../../src/http/common/http-api.module';
import { webAppModule } from '../../../src/http/web-app';
import { FakeGateway, FakeProjector, FakeReadModels } from './http-test-app';

@Module({})
class WebRootModule {}

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body><div id="root"></div></body></html>';

describe('the web app served at / next to the API', () => {
  let dir: string;
  let app: INestApplication;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'web-dist-'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'app.css'), 'body{margin:0}');
    const web = webAppModule(() => undefined, dir);
    if (web === null) throw new Error('webAppModule found no index.html');
    const reads = new FakeReadModels();
    // As main.ts does: a testing module would build ServeStaticModule before the HTTP adapter exists.
    app = await NestFactory.create(
      { module: WebRootModule, imports: [web, HttpApiModule.register({ gateway: new FakeGateway(), students: reads, scoreRecords: reads, applications: reads, users: reads, projector: new FakeProjector() })] },
      { logger: false },
    );
    configureHttpApp(app);
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for client-side routes, with the CSP', async () => {
    const root = await request(app.getHttpServer()).get('/').expect(200);
    expect(root.text).toBe(INDEX);
    expect(root.headers['content-security-policy']).toContain("script-src 'self'");
    const deep = await request(app.getHttpServer()).get('/admin/reviews').expect(200);
    expect(deep.text).toBe(INDEX);
    await request(app.getHttpServer()).get('/app.css').expect(200).expect('Content-Type', /css/);
  });

  it('leaves /api, /health and /metrics to the API: an unknown API path is a 404, not the page', async () => {
    const api = await request(app.getHttpServer()).get('/api/no-such-thing').expect(404);
    expect(api.text).not.toContain('<div id="root">');
    const health = await request(app.getHttpServer()).get('/health/nothing').expect(404);
    expect(health.text).not.toContain('<div id="root">');
    const metrics = await request(app.getHttpServer()).get('/metrics').expect(404);
    expect(metrics.text).not.toContain('<div id="root">');
  });

  it('leaves the API its own errors: a body it cannot read is a 400 and one too large a 413, not a 404', async () => {
    const bad = await request(app.getHttpServer()).post('/api/scores/modify').set('Content-Type', 'application/json').send('{bad').expect(400);
    expect(bad.body).toMatchObject({ statusCode: 400, message: expect.stringMatching(/not valid JSON/) });
    await request(app.getHttpServer()).post('/api/scores/modify').set('Content-Type', 'application/json').send(JSON.stringify({ reason: 'x'.repeat(20_000) })).expect(413);
  });

  it('starts without a built app and says so', () => {
    const lines: string[] = [];
    expect(webAppModule((line) => lines.push(line), join(dir, 'missing'))).toBeNull();
    expect(lines[0]).toContain('web app not built');
  });
});
