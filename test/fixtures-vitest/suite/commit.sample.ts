// @dsta-isolation database
import pg from 'pg'
import { sql } from 'slonik'
import { expect, test } from '../../../src/vitest/index.js'
import { count, insertCandle, record } from './record.js'

// Read at import time, as application code often does: the setup file has already pointed it here.
const urlAtImport = process.env.DATABASE_URL

test('code under test with its own pool really commits', async ({ db, databaseUrl }) => {
  expect(urlAtImport).toBe(databaseUrl)
  const app = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 })
  try {
    await app.query(`INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price,
      low_price, close_price, volume, quote_volume) VALUES ('binance', 'APP', '1h', now(), 1, 1, 1, 1, 1, 1)`)
  } finally {
    await app.end()
  }
  expect(await count(db, 'APP')).toBe(1)
  const database = await db.oneFirst(sql.unsafe`SELECT current_database()`)
  record({ file: 'commit', test: 'commits', database, databaseUrl })
})

test('tests of a database-isolation file share its database', async ({ db }) => {
  expect(await count(db, 'APP')).toBe(1)
  await insertCandle(db, undefined, 'MORE')
})
