import { fileURLToPath } from 'node:url'

/** This package's `sql/` folder: the DSTA schema. A module of its own, so the Vitest config can name it cheaply. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../sql', import.meta.url))
