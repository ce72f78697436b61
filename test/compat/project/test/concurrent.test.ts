// @dsta-isolation database
// Concurrent tests need their own database: this file gets a clone, rows really commit.

import { describe, expect, test } from 'dsta-db/vitest'
import { sql } from 'slonik'

describe.concurrent('concurrent under database isolation', () => {
  for (const symbol of ['AAAUSDT', 'BBBUSDT', 'CCCUSDT', 'DDDUSDT'])
    test(symbol, async ({ db, factories }) => {
      await factories.candlestick.createList(2, { symbol })
      expect(
        await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM candlesticks WHERE symbol = ${symbol}`),
      ).toBe(2)
    })
})

test("DATABASE_URL points at this file's own database", ({ databaseUrl }) => {
  expect(process.env.DATABASE_URL).toBe(databaseUrl)
})
