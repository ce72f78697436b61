// A sample project for test/vitest-worker-modules.test.ts: the built package, loaded by Node as a
// user's install loads it from node_modules (not through Vite), one process per file (forks, isolate);
// each file records which of our modules its worker loaded.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { dstaDb } from '../../../dist/vitest/index.js'

export default defineConfig({
  plugins: [dstaDb({ seed: 7 })],
  test: {
    include: ['*.sample.ts'],
    pool: 'forks',
    isolate: true,
    execArgv: ['--import', fileURLToPath(new URL('../pool/loaded.mjs', import.meta.url))],
    server: { deps: { external: [/\/dist\//] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
