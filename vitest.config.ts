import { configDefaults, defineConfig } from 'vitest/config'
import { dstaDb } from './src/vitest/index.js'

// Our own suite runs under the plugin it ships: every test file may use the `db` fixtures.
export default defineConfig({
  plugins: [dstaDb()],
  test: {
    include: ['test/**/*.test.ts'],
    // test/compat/project is a user's project, run from the packed package by .ci/compat.sh.
    exclude: [...configDefaults.exclude, 'test/compat/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
