import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Tests that train networks use worker threads themselves; two test files at
    // a time keeps a 2-core machine busy without oversubscribing it.
    maxWorkers: 2,
    server: { deps: { inline: ['electron-store'] } },
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['tests/**/*.test.ts'], exclude: ['tests/renderer/**'] },
      },
      {
        // The renderer's stores and components run in a DOM (happy-dom), compiled like the app's .vue files.
        extends: true,
        plugins: [vue()],
        test: { name: 'renderer', include: ['tests/renderer/**/*.test.ts'], environment: 'happy-dom' },
      },
    ],
  },
})
