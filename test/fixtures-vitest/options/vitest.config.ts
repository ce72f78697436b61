// A sample project for test/vitest-options.test.ts: dstaDb() with the options in $DSTA_SAMPLE_OPTIONS.
import { defineConfig } from 'vitest/config'
import { dstaDb } from '../../../src/vitest/index.js'

export default defineConfig({
  plugins: [dstaDb(JSON.parse(process.env.DSTA_SAMPLE_OPTIONS ?? '{}'))],
  test: { include: ['*.sample.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
})
