// Runs after a-ends in the same worker: its database must not hold what a-ends committed.
import { sql } from 'slonik'
import { expect, test } from '../../../src/vitest/index.js'
import { record } from '../suite/record.js'

test('the next file of the worker starts from the template', async ({ db }) => {
  const database = await db.oneFirst(sql.unsafe`SELECT current_database()`)
  const rows = await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM market_metrics`)
  record({ file: 'b', database, rows })
  expect(rows).toBe(0)
})
