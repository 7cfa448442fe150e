import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

// One build for every host: the Electron main process, the CLI and the training
// worker all come from src/main and share chunks in out/main (flat, so that
// `new URL('./worker.js', import.meta.url)` resolves from any chunk).
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Bundled, not loaded from node_modules: Node's module loader opens a package's files all
      // at once, and these are hundreds of small ES modules each (linear-sum-assignment pulls in
      // ml-spectra-processing's 247, echarts and zrender more), which alone exceed
      // `ulimit -n 256` (tests/main/archive/file-pool.test.ts).
      externalizeDeps: { exclude: ['linear-sum-assignment', 'ml-spectra-processing', 'echarts', 'zrender'] },
      rollupOptions: {
        input: {
          index: resolve('src/main/electron/index.ts'),
          cli: resolve('src/main/cli/index.ts'),
          worker: resolve('src/main/engine/worker.ts'),
          'embed-worker': resolve('src/main/analysis/embed-worker.ts'),
          'checkpoint-worker': resolve('src/main/checkpoints/worker.ts'),
          'job-worker': resolve('src/main/jobs/worker.ts'),
        },
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          chunkFileNames: '[name]-[hash].js',
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // Sandboxed preload scripts must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves output unminified unless asked; the renderer ships to a browser too.
      minify: true,
      // ECharts is one lazily loaded chunk of about 500 kB; scripts/check-bundle.js guards the initial one.
      chunkSizeWarningLimit: 600,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    resolve: { alias: { '@shared': resolve('src/shared') } },
    plugins: [vue()],
  },
})
