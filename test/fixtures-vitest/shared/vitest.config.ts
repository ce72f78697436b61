// A sample project for test/shared-server.test.ts: runs on the server DATABASE_URL names, as a CI
// job sharing one PostgreSQL would. DSTA_SAMPLE_FAIL=1 makes its database-isolation file fail.
import { defineConfig } from 'vitest/config'
import { dstaDb } from '../../../src/vitest/index.js'

export default defineConfig({
  plugins: [dstaDb({ seed: 7, keepFailed: Number(process.env.DSTA_SAMPLE_KEEP ?? 3) })],
  test: { include: ['*.sample.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
})
