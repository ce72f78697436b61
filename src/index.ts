/**
 * dsta-db: a real PostgreSQL with the DSTA market-data schema, deterministic data to fill it, and
 * the commands around it. `dsta-db/vitest` holds the test-runner side.
 */

export * from './backup/index.js'
export * from './chart/index.js'
export * from './explain/index.js'
export * from './factories/index.js'
export * from './fixtures/index.js'
export * from './generate/index.js'
export * from './migrate/index.js'
export * from './schema/index.js'
export * from './server/index.js'
