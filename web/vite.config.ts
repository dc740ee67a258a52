import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The web app's build: everything bundled (no CDN), no inline scripts (the node's CSP allows
 * only same-origin scripts), portals and charts split into lazy chunks.
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  resolve: { alias: { '@': `${root}src` } },
  build: {
    outDir: `${root}dist`,
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1200,
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { '/api': process.env.WEB_API_URL ?? 'http://127.0.0.1:3001' },
  },
});
