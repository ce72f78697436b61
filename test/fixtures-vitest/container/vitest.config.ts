// A sample project for test/container.test.ts: the container provider in a nested `vitest run` that
// the test kills (SIGKILL, Ctrl-C) while its one test waits. bench/container-start.ts runs it on
// either provider (DSTA_PROVIDER).
import { defineConfig } from 'vitest/config'
import { dstaDb } from '../../../src/vitest/index.js'

export default defineConfig({
  plugins: [
    dstaDb({ seed: 7, provider: process.env.DSTA_PROVIDER === 'embedded' ? 'embedded' : 'container' }),
  ],
  test: { include: ['*.sample.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
})
