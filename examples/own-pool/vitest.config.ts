import { dstaDb } from 'dsta-db/vitest'
import { defineConfig } from 'vitest/config'

// Every file gets a database of its own: the application opens its own pool from DATABASE_URL and
// really commits, which a shared transaction could not hold.
export default defineConfig({ plugins: [dstaDb({ seed: 42, isolation: 'database' })] })
