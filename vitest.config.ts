import { defineConfig } from 'vitest/config'
import { dstaDb } from './src/vitest/index.js'

// Our own suite runs under the plugin it ships: every test file may use the `db` fixtures.
export default defineConfig({
  plugins: [dstaDb()],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
