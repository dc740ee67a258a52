import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';

/**
 * The Content-Security-Policy of every answer: scripts, fonts, XHR/SSE and frames only from this
 * node; images from it and `data:` URLs (icons); no plugins, no base-tag or form hijacking, no
 * framing by others. Styles may be inline: antd's CSS-in-JS inserts `<style>` elements at run
 * time (and Swagger UI's page has an inline `<style>`); scripts never may.
 */
export const CONTENT_SECURITY_POLICY: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'script-src-attr': ["'none'"],
};

/**
 * Cookie parsing (the web app's session cookie) and the security headers (helmet with the
 * strict CSP above). Call before listen/init, with the other app-level settings.
 */
export function configureSecurityHeaders(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.use(cookieParser());
  express.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { ...(CONTENT_SECURITY_POLICY as Record<string, string[]>) },
      },
      // Over plain http (a local cluster) the browser ignores it; behind TLS it holds.
      strictTransportSecurity: { maxAge: 180 * 24 * 3600, includeSubDomains: true },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
}
