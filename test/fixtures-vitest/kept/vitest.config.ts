// A sample project for test/vitest-kept.test.ts: one database-isolation file that fails on purpose.
import { defineConfig } from 'vitest/config'
import { dstaDb } from '../../../src/vitest/index.js'

export default defineConfig({
  plugins: [dstaDb({ seed: 7 })],
  test: { include: ['*.sample.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
})
