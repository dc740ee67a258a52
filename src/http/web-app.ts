import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';

/** Where `npm run build` puts the web app (from dist/ or src/, two levels up is the repo). */
export const WEB_DIST = resolve(__dirname, '..', '..', 'web', 'dist');

/** Paths the web app never answers: the API, health and metrics keep their own 404s. */
export const NOT_WEB_APP_PATHS = ['/api/{*rest}', '/health/{*rest}', '/metrics'];

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
    exclude: NOT_WEB_APP_PATHS,
    serveStaticOptions: { index: 'index.html', fallthrough: true, dotfiles: 'ignore' },
  });
}
