import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Builds the console (apps/web) into dist/web, which the BFF serves. */
export default defineConfig({
  root: 'apps/web',
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  css: {
    preprocessorOptions: {
      scss: { quietDeps: true, silenceDeprecations: ['global-builtin', 'import'] },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
