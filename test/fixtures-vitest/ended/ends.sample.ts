import { sql } from 'slonik'
import { expect, test } from '../../../src/vitest/index.js'

const insert = sql.unsafe`INSERT INTO market_metrics (metric_type, "timestamp", value) VALUES ('other', clock_timestamp(), 1)`
const count = sql.unsafe`SELECT count(*)::int FROM market_metrics`

test('sends ROLLBACK', async ({ db }) => {
  await db.query(insert)
  await db.query(sql.unsafe`ROLLBACK`)
})

test('runs after the ROLLBACK, in a transaction again', async ({ db }) => {
  expect(await db.oneFirst(count)).toBe(0)
  await db.query(insert)
  expect(await db.oneFirst(count)).toBe(1)
})

test('sends COMMIT', async ({ db }) => {
  await db.query(insert)
  await db.query(sql.unsafe`COMMIT`)
})

test('runs after the COMMIT', async ({ db }) => {
  await db.query(insert)
  expect(await db.oneFirst(count)).toBeGreaterThan(0)
})
