import { dstaDb } from 'dsta-db/vitest'
import { defineConfig } from 'vitest/config'

// provider 'auto': external when DATABASE_URL is set (CI's service), else the embedded server.
export default defineConfig({ plugins: [dstaDb()] })
