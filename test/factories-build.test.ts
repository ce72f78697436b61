// The factories without a database: defaults valid, overrides kept, traits, lists, refusals and
// determinism. `build` touches no connection, so a stand-in that throws proves it.
import fc from 'fast-check'
import type { CommonQueryMethods } from 'slonik'
import { describe, expect, test } from 'vitest'
import { createFactories } from '../src/factories/index.js'
import { profileFor } from '../src/generate/markets.js'
import {
  bucketStart,
  Candlestick,
  compareDecimal,
  INTERVAL_MS,
  MarketMetric,
  OrderBook,
  Trade,
} from '../src/schema/index.js'

const noDatabase = new Proxy({} as CommonQueryMethods, {
  get: () => {
    throw new Error('build must not touch the database')
  },
})
const factories = (seed: number | string = 1) => createFactories(noDatabase, { seed })
const decimals = (value: string) => value.split('.')[1]?.length ?? 0
const isMultipleOf = (value: string, step: number) => {
  const steps = Number(value) / step
  return Math.abs(steps - Math.round(steps)) < 1e-6
}

describe('defaults', () => {
  test('every table builds rows its schema accepts, for any seed', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom('BTCUSDT', 'DOGEUSDT', 'XRPUSDT', 'ZZTOP9'),
        (seed, symbol) => {
          const f = factories(seed)
          for (const candle of f.candlestick.buildList(5, { symbol }))
            expect(Candlestick.safeParse(candle).success).toBe(true)
          for (const trade of f.trade.buildList(5, { symbol }))
            expect(Trade.safeParse(trade).success).toBe(true)
          for (const book of f.orderBook.buildList(3, { symbol }))
            expect(OrderBook.safeParse(book).success).toBe(true)
          for (const metric of f.marketMetric.buildList(3))
            expect(MarketMetric.safeParse(metric).success).toBe(true)
        },
      ),
      { numRuns: 60 },
    )
  })

  test('a default candle is BTCUSDT 1h on binance, on the hour grid, prices on the tick', () => {
    const candle = factories().candlestick.build()
    expect(candle).toMatchObject({ exchange: 'binance', symbol: 'BTCUSDT', interval: '1h' })
    expect(candle.timestamp.toISOString()).toBe('2026-01-01T00:00:00.000Z')
    expect(candle.open_price).toBe('43250.00') // the generators' anchor price of BTCUSDT on the reference day
    for (const price of [candle.open_price, candle.high_price, candle.low_price, candle.close_price]) {
      expect(decimals(price)).toBe(2)
      expect(isMultipleOf(price, 0.01)).toBe(true)
    }
    expect(decimals(candle.volume)).toBe(5) // BTCUSDT's lot is 0.00001
  })

  test('prices and quantities follow the symbol profile: DOGE on 0.00001 ticks and whole lots', () => {
    const f = factories(3)
    const candle = f.candlestick.build({ symbol: 'DOGEUSDT' })
    expect(decimals(candle.close_price)).toBe(5)
    expect(decimals(candle.volume)).toBe(0)
    const trade = f.trade.build({ symbol: 'DOGEUSDT' })
    expect(decimals(trade.price)).toBe(5)
    expect(decimals(trade.quantity)).toBe(0)
    expect(Math.abs(Number(trade.price) / profileFor('DOGEUSDT').startPrice - 1)).toBeLessThan(0.2)
  })
})

describe('lists and sequences', () => {
  test('a candle list is consecutive on the grid and one continuous price path', () => {
    for (const interval of ['1m', '4h', '7d'] as const) {
      const candles = factories(7).candlestick.buildList(20, { interval })
      candles.forEach((candle, i) => {
        expect(bucketStart(candle.timestamp.getTime(), interval)).toBe(candle.timestamp.getTime())
        const previous = candles[i - 1]
        if (!previous) return
        expect(candle.timestamp.getTime() - previous.timestamp.getTime()).toBe(INTERVAL_MS[interval])
        expect(candle.open_price).toBe(previous.close_price)
      })
    }
  })

  test('separate calls continue the series, and derived factories share it', () => {
    const f = factories(8)
    const first = f.candlestick.build()
    const second = f.candlestick.bullish().build()
    const third = f.candlestick.params({ exchange: 'binance' }).build()
    expect([first, second, third].map((c) => c.timestamp.toISOString())).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
    ])
    expect(second.open_price).toBe(first.close_price)
    // Another symbol is another series: its own sequence from the reference date.
    expect(f.candlestick.build({ symbol: 'ETHUSDT' }).timestamp.toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    )
  })

  test('a timestamp override in a list sets the first row, the rest follow it', () => {
    const candles = factories().candlestick.buildList(3, { timestamp: new Date('2025-06-01T12:00:00Z') })
    expect(candles.map((c) => c.timestamp.toISOString())).toEqual([
      '2025-06-01T12:00:00.000Z',
      '2025-06-01T13:00:00.000Z',
      '2025-06-01T14:00:00.000Z',
    ])
  })

  test('trades: ids 1, 2, 3…, time strictly increasing, quote = price × quantity exactly', () => {
    const f = factories(9)
    const trades = [...f.trade.buildList(50), f.trade.sell().build(), f.trade.build()]
    trades.forEach((trade, i) => {
      expect(trade.trade_id).toBe(BigInt(i + 1))
      if (i > 0)
        expect(trade.timestamp.getTime()).toBeGreaterThan((trades[i - 1] as typeof trade).timestamp.getTime())
      const [units, scale] = [
        BigInt(trade.price.replace('.', '')) * BigInt(trade.quantity.replace('.', '')),
        decimals(trade.price) + decimals(trade.quantity),
      ]
      expect(BigInt(trade.quote_quantity.replace('.', ''))).toBe(units)
      expect(decimals(trade.quote_quantity)).toBe(scale)
    })
  })

  test('order books: one minute apart, last_update_id increasing, book sorted and uncrossed, size decaying', () => {
    const books = factories(10).orderBook.buildList(10)
    books.forEach((book, i) => {
      expect(book.bids).toHaveLength(10)
      expect(book.asks).toHaveLength(10)
      expect(compareDecimal(book.bids[0]?.[0] as string, book.asks[0]?.[0] as string)).toBe(-1)
      const previous = books[i - 1]
      if (!previous) return
      expect(book.timestamp.getTime() - previous.timestamp.getTime()).toBe(60_000)
      expect(book.last_update_id).toBeGreaterThan(previous.last_update_id)
    })
    const near = books.reduce((sum, book) => sum + Number(book.bids[0]?.[1]) + Number(book.asks[0]?.[1]), 0)
    const far = books.reduce((sum, book) => sum + Number(book.bids[9]?.[1]) + Number(book.asks[9]?.[1]), 0)
    expect(near).toBeGreaterThan(far * 3)
  })

  test('metrics: consecutive days per metric type, each type in its range', () => {
    const f = factories(11)
    const dominance = f.marketMetric.buildList(5)
    const greed = f.marketMetric.fearGreedIndex().buildList(30)
    expect(dominance.map((m) => m.timestamp.toISOString().slice(0, 10))).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
      '2026-01-04',
      '2026-01-05',
    ])
    expect(greed[0]?.timestamp.toISOString()).toBe('2026-01-01T00:00:00.000Z')
    for (const m of greed)
      expect(Number(m.value)).toSatisfy((v: number) => Number.isInteger(v) && v >= 0 && v <= 100)
    for (const m of dominance) expect(Number(m.value)).toSatisfy((v: number) => v > 0 && v < 100)
    expect(greed[0]?.metadata).toMatchObject({
      classification: expect.any(String),
      request_id: expect.any(String),
    })
  })
})
