import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The login page's JavaScript budget (gzip). */
export const LOGIN_JS_GZIP_BUDGET_BYTES = 350 * 1024;

/** The scripts a built index.html loads at once: module entries and their modulepreloads. */
export function scriptsOfIndex(html: string): string[] {
  const found = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g)) found.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g)) found.add(m[1]!);
  return [...found];
}

/**
 * Sizes of the JavaScript the login page loads from `web/dist` (the portals and charts are lazy
 * chunks it does not load), raw and gzipped.
 */
export function loginPageJs(distDir: string): { files: { path: string; bytes: number; gzipBytes: number }[]; bytes: number; gzipBytes: number } {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const files = scriptsOfIndex(html).map((src) => {
    const content = readFileSync(join(distDir, src.replace(/^\//, '')));
    return { path: src, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
  });
  return { files, bytes: files.reduce((a, f) => a + f.bytes, 0), gzipBytes: files.reduce((a, f) => a + f.gzipBytes, 0) };
}

function main(): void {
  const dist = resolve(__dirname, '..', '..', 'web', 'dist');
  if (!existsSync(join(dist, 'index.html'))) {
    process.stderr.write(`${dist}/index.html is missing: run "npm run build" first\n`);
    process.exit(2);
  }
  const result = loginPageJs(dist);
  for (const f of result.files) process.stdout.write(`${f.path}  ${(f.bytes / 1024).toFixed(1)} kB  gzip ${(f.gzipBytes / 1024).toFixed(1)} kB\n`);
  const verdict = result.gzipBytes <= LOGIN_JS_GZIP_BUDGET_BYTES ? 'within' : 'OVER';
  process.stdout.write(`login page JavaScript: ${(result.gzipBytes / 1024).toFixed(1)} kB gzip (${verdict} the ${LOGIN_JS_GZIP_BUDGET_BYTES / 1024} kB budget)\n`);
  process.exit(verdict === 'within' ? 0 : 1);
}

if (require.main === module) main();
