import { describe, expect, test } from 'dsta-db/vitest'
import { sql } from 'slonik'

// Made once for this file, seen by every test in it, gone when the file ends.
test.beforeAll(async ({ fileDb }) => {
  await fileDb.query(sql.unsafe`
    INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price, low_price,
      close_price, volume, quote_volume)
    VALUES ('binance', 'BTCUSDT', '1d', '2025-01-01', 94000, 95000, 93000, 94500, 10, 945000)`)
})

describe('latest close', () => {
  test('reads the file data', async ({ db }) => {
    expect(await db.oneFirst(sql.unsafe`SELECT close_price FROM candlesticks WHERE symbol = 'BTCUSDT'`)).toBe(
      '94500.0000000000',
    )
  })

  test('factories add rows that only this test sees', async ({ db, factories }) => {
    await factories.candlestick.createList(3, { symbol: 'ETHUSDT', interval: '1h' })
    expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM candlesticks`)).toBe(4)
  })

  test('the rows of the test before are gone', async ({ db }) => {
    expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM candlesticks`)).toBe(1)
  })
})
