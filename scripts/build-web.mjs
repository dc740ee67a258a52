// Builds the web app with Vite when it exists (web/vite.config.ts); otherwise says so and succeeds,
// so the server builds alone and the node serves the API without the app.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = join(root, 'web', 'vite.config.ts');
if (!existsSync(config)) {
  console.log('build:web: web/vite.config.ts not found, skipping the web app');
  process.exit(0);
}
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const result = spawnSync(process.execPath, [vite, 'build', '--config', config], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
