import { dstaDb } from 'dsta-db/vitest'
import { defineConfig } from 'vitest/config'

// A user's config: one plugin. `allowOnly` because one file shows `test.only` (CI=true refuses it otherwise).
export default defineConfig({ plugins: [dstaDb({ seed: 7 })], test: { allowOnly: true } })
