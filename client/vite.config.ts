import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { reportInitialBundleSize } from './build/report-bundle-size.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

// The dashboard is served by the tokentrace server under a strict CSP (no inline script or
// style): Svelte's CSS is emitted as files, and no inline module-preload polyfill is needed.
export default defineConfig({
  root,
  publicDir: 'public',
  plugins: [svelte({ configFile: false, emitCss: true }), reportInitialBundleSize()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev:client` next to `npm start`: the API stays same-origin through the proxy.
    proxy: {
      '/graphql': { target: 'http://127.0.0.1:4000', changeOrigin: false },
      '/auth': { target: 'http://127.0.0.1:4000', changeOrigin: false },
    },
  },
});
