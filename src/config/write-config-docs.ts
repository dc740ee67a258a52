import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONFIGURATION_DOC_PATH, ENV_EXAMPLE_PATH, renderConfigurationDoc, renderEnvExample } from './config-docs';

/**
 * `npm run config:env-example`: writes docs/configuration.md and .env.example from the schemas
 * (run from dist/config/, so the repository root is two folders up). Run it after changing a
 * variable; test/unit/config/config-docs.spec.ts fails until the files match the schemas.
 */
function main(): void {
  const root = resolve(__dirname, '..', '..');
  for (const [path, text] of [
    [CONFIGURATION_DOC_PATH, renderConfigurationDoc()],
    [ENV_EXAMPLE_PATH, renderEnvExample()],
  ] as const) {
    writeFileSync(join(root, path), text);
    process.stdout.write(`wrote ${path}\n`);
  }
}

main();
