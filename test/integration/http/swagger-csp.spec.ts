import type { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { chromium, type Browser } from 'playwright-core';
import { configureHttpApp } from '../../../src/http/common/http-api.module';
import { buildOpenApiDocument } from '../../../src/http/openapi';
import { openApiDocumentApp } from '../../../src/openapi/openapi-app';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Swagger UI at /api/docs under the node's Content-Security-Policy, in a real headless Chromium. */
describe('Swagger UI under the CSP', () => {
  let app: INestApplication;
  let browser: Browser;
  let base = '';

  beforeAll(async () => {
    app = await openApiDocumentApp();
    configureHttpApp(app);
    SwaggerModule.setup('api/docs', app, buildOpenApiDocument(app));
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close().catch(() => undefined);
  });

  it('renders the operations with no CSP violation', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    const response = await page.goto(`${base}/api/docs`, { waitUntil: 'load', timeout: 30_000 });
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    expect(violations).toEqual([]);
  }, 60_000);
});
