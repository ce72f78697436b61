// Every shape a test file takes, with the first use of `test` inside a `describe` (the common case).
import { INTERVALS } from 'dsta-db'
import { afterAll, beforeEach, describe, expect, it, test } from 'dsta-db/vitest'
import { sql } from 'slonik'

const count = sql.unsafe`SELECT count(*)::int FROM candlesticks`
let beforeEachRuns = 0
beforeEach(() => {
  beforeEachRuns++
})

describe('market', () => {
  test('a test inside describe gets the db', async ({ db }) => {
    expect(await db.oneFirst(count)).toBe(1) // the file's row from beforeAll below
  })

  describe('nested', () => {
    // Suite-level hooks get the file-scoped fixtures; data made here lives for the whole file.
    test.beforeAll(async ({ fileDb }) => {
      await fileDb.query(sql.unsafe`INSERT INTO market_metrics (metric_type, value, "timestamp")
        VALUES ('btc_dominance', 52.5, '2024-01-01')`)
    })

    it('it works like test', async ({ db, factories }) => {
      await factories.trade.create({ symbol: 'ETHUSDT' })
      expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM trades`)).toBe(1)
      expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM market_metrics`)).toBe(1)
    })

    // test.each passes no context (Vitest's rule; test.for does): it still runs in a dsta-db file.
    test.each([
      ['1m', 60],
      ['1h', 3600],
    ])('test.each %s is %i seconds', (interval, seconds) => {
      expect(INTERVALS).toContain(interval)
      expect(seconds % 60).toBe(0)
    })

    test.for([{ n: 1 }, { n: 4 }])('test.for $n', async ({ n }, { db, factories, seed }) => {
      await factories.orderBook.createList(n)
      expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM order_books`)).toBe(n)
      expect(Number.isInteger(seed)).toBe(true)
    })
  })

  test.skip('skipped', async ({ db }) => {
    await db.query(sql.unsafe`SELECT 1/0`)
  })
  test.todo('todo')
})

test.beforeAll(async ({ fileDb }) => {
  await fileDb.query(sql.unsafe`INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp",
    open_price, high_price, low_price, close_price, volume, quote_volume)
    VALUES ('binance', 'FILE', '1d', '2024-01-01', 1, 1, 1, 1, 1, 1)`)
})

test('top level, after the describes: earlier tests left nothing', async ({ db, faker, databaseUrl }) => {
  expect(await db.oneFirst(count)).toBe(1)
  expect(typeof faker.string.alpha(3)).toBe('string')
  expect(databaseUrl).toMatch(/^postgres(ql)?:\/\//)
})

afterAll(() => {
  // 7 tests ran (skip and todo do not): beforeEach saw each.
  expect(beforeEachRuns).toBe(7)
})
