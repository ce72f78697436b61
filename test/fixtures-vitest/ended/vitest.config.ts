// A sample project for test/isolation-ended.test.ts: tests that end their file's transaction.
import { defineConfig } from 'vitest/config'
import { dstaDb } from '../../../src/vitest/index.js'

export default defineConfig({
  plugins: [dstaDb({ seed: 7 })],
  test: { include: ['*.sample.ts'], testTimeout: 30_000, hookTimeout: 60_000, sequence: { shuffle: false } },
})
