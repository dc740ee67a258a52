import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Component tests: jsdom, Testing Library, queries by role and label. */
export default defineConfig({
  root,
  plugins: [react()],
  resolve: { alias: { '@': `${root}src` } },
  test: {
    environment: 'jsdom',
    setupFiles: [`${root}src/test/setup.ts`],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    testTimeout: 60_000,
    pool: 'threads',
    maxWorkers: 1,
  },
});
