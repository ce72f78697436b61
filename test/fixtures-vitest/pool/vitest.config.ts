// A sample project for test/vitest-pool-files.test.ts: each file records which heavy packages its
// worker process loaded (forks, isolate: one process per file).
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { dstaDb } from '../../../src/vitest/index.js'

export default defineConfig({
  plugins: [dstaDb({ seed: 7 })],
  test: {
    include: ['*.sample.ts'],
    pool: 'forks',
    execArgv: ['--import', fileURLToPath(new URL('./loaded.mjs', import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
