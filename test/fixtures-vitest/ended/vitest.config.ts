// A sample project for test/isolation-ended.test.ts: tests that end their file's transaction.
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { dstaDb } from '../../../src/vitest/index.js'

/** Files in name order, so `b-next` runs after `a-ends` in the one worker. */
class ByName extends BaseSequencer {
  override async sort(files: TestSpecification[]) {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId))
  }
}

export default defineConfig({
  plugins: [dstaDb({ seed: 7 })],
  test: {
    include: ['*.sample.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    sequence: { shuffle: false, sequencer: ByName },
  },
})
