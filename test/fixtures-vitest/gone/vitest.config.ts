// A sample project for test/server-gone.test.ts: many files of many tests, whose server dies mid-run.
import { defineConfig } from 'vitest/config'
import { dstaDb } from '../../../src/vitest/index.js'

export default defineConfig({
  plugins: [dstaDb({ seed: 7 })],
  test: { include: ['*.sample.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
})
