// A sample project for test/factories-database.test.ts: factories in `database` isolation, where rows commit.
import { defineConfig } from 'vitest/config'
import { dstaDb } from '../../../src/vitest/index.js'

export default defineConfig({
  plugins: [dstaDb({ seed: 7, isolation: 'database' })],
  test: { include: ['*.sample.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
})
