import type { DatabasePool } from 'slonik'
import { migrationStatus } from '../migrate/index.js'
import { TABLES, type TableName } from '../schema/index.js'
import {
  type Check,
  duplicatesCheck,
  migrationsCheck,
  ohlcCheck,
  planCheck,
  rowCounts,
  schemaCheck,
} from './verify-checks.js'

/** Every check of `verify`, in order; those that need a missing table are skipped. Shared with `init --with-tests`. */
export async function runChecks(pool: DatabasePool, url: string, dirs: string[]): Promise<Check[]> {
  const schema = await schemaCheck(pool)
  const migrations = migrationsCheck(await migrationStatus(url, { dirs }))
  const missing = new Set(
    schema.problems.flatMap((problem) => /^table (\w+) is missing/.exec(problem)?.[1] ?? []),
  )
  const tables = (Object.keys(TABLES) as TableName[]).filter((table) => !missing.has(table))
  const data = missing.has('candlesticks')
    ? []
    : [await duplicatesCheck(pool), await ohlcCheck(pool), await planCheck(pool)]
  return [schema, migrations, await rowCounts(pool, tables), ...data]
}
