// @dsta-isolation database
// This file gets its own database, and DATABASE_URL points at it before the file is imported:
// the code under test may open its own pool and really commit.

import { expect, test } from 'dsta-db/vitest'
import pg from 'pg'
import { sql } from 'slonik'

const app = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 })
test.afterAll(() => app.end())

test('the application commits through its own pool', async ({ db }) => {
  await app.query(`INSERT INTO market_metrics (metric_type, "timestamp", value)
    VALUES ('fear_greed_index', now(), 71)`)
  expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM market_metrics`)).toBe(1)
})
