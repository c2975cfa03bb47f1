import { defineConfig } from 'vite';

// The console app: served by the ledger at /console/ (apps/ledger/src/http/console-assets.ts).
export default defineConfig({
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', assetsDir: 'assets' },
});
