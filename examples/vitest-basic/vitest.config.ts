import { dstaDb } from 'dsta-db/vitest'
import { defineConfig } from 'vitest/config'

// One line: a PostgreSQL server for the run, the DSTA schema in a template, a clone per worker.
export default defineConfig({ plugins: [dstaDb({ seed: 42 })] })
