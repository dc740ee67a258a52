import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildOpenApiDocument } from '../http/openapi';
import { openApiDocumentApp } from './openapi-app';

/** Where the web app's typed client reads the document from. */
const DEFAULT_OUT = resolve(__dirname, '..', '..', 'web', 'src', 'lib', 'api', 'openapi.json');

/** Writes the node's OpenAPI document (`npm run openapi [-- <file>]`), no MySQL or NATS needed. */
async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? DEFAULT_OUT);
  const app = await openApiDocumentApp();
  const document = buildOpenApiDocument(app);
  await app.close();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`wrote ${out} (${Object.keys(document.paths).length} paths)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`openapi: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
