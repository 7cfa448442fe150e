import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Tests that train networks use worker threads themselves; two test files at
    // a time keeps a 2-core machine busy without oversubscribing it.
    maxWorkers: 2,
    server: { deps: { inline: ['electron-store'] } },
  },
})
