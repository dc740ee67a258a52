import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';

/** Where `npm run build` puts the web app (from dist/ or src/, two levels up is the repo). */
export const WEB_DIST = resolve(__dirname, '..', '..', 'web', 'dist');

/**
 * The paths index.html answers: every path but the API's, health's and metrics' (they keep their
 * own answers, 404s included). A render path, not serve-static's `exclude`: its error handler
 * turns every error of an excluded path into a 404, so a body the API refuses (400, 413) would
 * answer "Cannot POST".
 */
export const WEB_APP_ROUTES = /^\/(?!(?:api|health|metrics)(?:\/|$))/;

/**
 * Serves the built web app at `/`, with every other path that is not the API's answered by its
 * index.html (client-side routes). Null when the app is not built (`web/dist/index.html` missing):
 * the node then serves the API alone, and `log` says so.
 */
export function webAppModule(log: (message: string) => void, rootPath = WEB_DIST): DynamicModule | null {
  if (!existsSync(join(rootPath, 'index.html'))) {
    log(`web app not built (${rootPath} has no index.html): serving the API only; run npm run build`);
    return null;
  }
  return ServeStaticModule.forRoot({
    rootPath,
    renderPath: WEB_APP_ROUTES,
    serveStaticOptions: { index: 'index.html', fallthrough: true, dotfiles: 'ignore' },
  });
}
