// A sample project for test/chart-on-failure.test.ts: dstaDb({ chartOnFailure }) on, charts and
// Vitest's copies of them under $DSTA_CHART_DIR.
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'
import { dstaDb } from '../../../src/vitest/index.js'

const out = process.env.DSTA_CHART_DIR ?? '.dsta-db'

export default defineConfig({
  plugins: [dstaDb({ seed: 7, chartOnFailure: { dir: join(out, 'charts') } })],
  test: {
    include: ['*.sample.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    attachmentsDir: join(out, 'attachments'),
  },
})
