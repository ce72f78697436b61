// Tests that end their file's transaction, each followed by one that must run in a new one.
import { sql } from 'slonik'
import { expect, test } from '../../../src/vitest/index.js'
import { record } from '../suite/record.js'

// market_metrics is unique on (metric_type, timestamp): each insert has its own day.
const insert = (kind: string, day: number) =>
  sql.unsafe`INSERT INTO market_metrics (metric_type, "timestamp", value, metadata)
    VALUES ('other', ${`2024-01-${String(day).padStart(2, '0')}`}, 1, ${JSON.stringify({ kind })}::jsonb)`
const count = sql.unsafe`SELECT count(*)::int FROM market_metrics`

test('sends ROLLBACK', async ({ db }) => {
  await db.query(insert('rolled back', 1))
  await db.query(sql.unsafe`ROLLBACK`)
})

test('runs after the ROLLBACK, in a transaction again', async ({ db }) => {
  expect(await db.oneFirst(count)).toBe(0)
  await db.query(insert('after rollback', 2))
  expect(await db.oneFirst(count)).toBe(1)
})

test('sends COMMIT', async ({ db }) => {
  record({ file: 'a', database: await db.oneFirst(sql.unsafe`SELECT current_database()`) })
  await db.query(insert('committed', 3))
  await db.query(sql.unsafe`COMMIT`)
})

test('runs after the COMMIT, in a transaction again', async ({ db }) => {
  const committed = Number(await db.oneFirst(count))
  await db.query(insert('after commit', 4))
  expect(await db.oneFirst(count)).toBe(committed + 1)
})

test('pool: its COMMIT is a savepoint release, the file transaction stands', async ({ pool }) => {
  await pool.query('BEGIN')
  await pool.query(
    `INSERT INTO market_metrics (metric_type, "timestamp", value) VALUES ('other', '2024-01-05', 1)`,
  )
  await pool.query('COMMIT')
})

test('pool: a COMMIT inside a multi-statement query reaches the server', async ({ pool }) => {
  await pool.query(
    `INSERT INTO market_metrics (metric_type, "timestamp", value, metadata) VALUES ('other', '2024-01-06', 1, '{"kind":"pool commit"}'); COMMIT`,
  )
})

test('the last test sees only what was committed', async ({ db }) => {
  const kinds = await db.anyFirst(
    sql.unsafe`SELECT metadata->>'kind' FROM market_metrics WHERE metadata ? 'kind' ORDER BY 1`,
  )
  expect(kinds).toEqual(['committed', 'pool commit'])
})
