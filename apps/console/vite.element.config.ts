import { defineConfig } from 'vite';

// The embeddable <trailmark-log-viewer> element: one self-contained module, built from the console's components.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist/element',
    emptyOutDir: true,
    target: 'es2022',
    lib: { entry: 'src/element.tsx', formats: ['es'], fileName: () => 'trailmark-log-viewer.js' },
  },
});
