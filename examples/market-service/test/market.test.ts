import { describe, expect, test } from 'dsta-db/vitest'
import { fearGreedTrend, latestCandles, topOfBook, vwap } from '../src/market.js'

// The template holds 7 days of generated data ending 2026-01-01T00:00Z (dstaDb's testData), the
// same rows on every machine: window queries are tested on it. Precise cases use factories.
const END = new Date('2026-01-01T00:00:00Z')
const BTC = { exchange: 'binance', symbol: 'BTCUSDT', interval: '1h' }

describe('latestCandles', () => {
  test('the newest 100 hourly candles of the week, newest first', async ({ db }) => {
    const candles = await latestCandles(db, BTC)
    expect(candles).toHaveLength(100)
    expect(candles[0]?.timestamp.toISOString()).toBe('2025-12-31T23:00:00.000Z')
    const times = candles.map((candle) => candle.timestamp.getTime())
    expect(times).toEqual([...times].sort((a, b) => b - a))
    for (const candle of candles) {
      expect(Number(candle.low)).toBeLessThanOrEqual(Math.min(Number(candle.open), Number(candle.close)))
      expect(Number(candle.high)).toBeGreaterThanOrEqual(Math.max(Number(candle.open), Number(candle.close)))
    }
  })

  test('a symbol of its own shows only its rows', async ({ db, factories }) => {
    await factories.candlestick.createList(3, { symbol: 'SOLUSDT', interval: '1h' })
    expect(await latestCandles(db, { ...BTC, symbol: 'SOLUSDT' })).toHaveLength(3)
  })
})

describe('vwap', () => {
  test('weights each price by its quantity, exactly', async ({ db, factories }) => {
    const at = new Date('2030-01-01T00:00:00Z')
    await factories.trade.create({ symbol: 'VWAPUSDT', timestamp: at, price: '100', quantity: '1' })
    await factories.trade.create({ symbol: 'VWAPUSDT', timestamp: at, price: '110', quantity: '3' })
    // (100 × 1 + 110 × 3) / 4 = 107.5
    expect(await vwap(db, 'VWAPUSDT', at, new Date(at.getTime() + 1000))).toBe('107.5000000000')
  })

  test('is null for a window without trades', async ({ db }) => {
    expect(await vwap(db, 'BTCUSDT', new Date('2020-01-01'), new Date('2020-01-02'))).toBeNull()
  })

  test('over the last generated hour lies between its candle low and high', async ({ db }) => {
    const [last] = await latestCandles(db, BTC, 1)
    const price = Number(await vwap(db, 'BTCUSDT', new Date(END.getTime() - 3_600_000), END))
    expect(price).toBeGreaterThanOrEqual(Number(last?.low))
    expect(price).toBeLessThanOrEqual(Number(last?.high))
  })
})

describe('topOfBook', () => {
  test('the best bid is below the best ask', async ({ db }) => {
    const top = await topOfBook(db, 'ETHUSDT', END)
    expect(top).not.toBeNull()
    expect(Number(top?.bid)).toBeLessThan(Number(top?.ask))
    expect(Number(top?.spread)).toBeGreaterThan(0)
  })

  test('reads the latest snapshot at or before the moment asked', async ({ db, factories }) => {
    const at = new Date('2031-06-01T12:00:00Z')
    await factories.orderBook.create({ symbol: 'BOOKUSDT', timestamp: new Date(at.getTime() - 60_000) })
    const newest = await factories.orderBook.create({ symbol: 'BOOKUSDT', timestamp: at })
    const top = await topOfBook(db, 'BOOKUSDT', at)
    expect(top?.timestamp.toISOString()).toBe(at.toISOString())
    expect(top?.bid).toBe(String(newest.bids[0]?.[0]))
  })
})

describe('fearGreedTrend', () => {
  test('one value a day for the week, each with its classification', async ({ db }) => {
    const trend = await fearGreedTrend(db, END, 7)
    expect(trend.length).toBeGreaterThanOrEqual(6)
    for (const day of trend) {
      expect(day.value).toBeGreaterThanOrEqual(0)
      expect(day.value).toBeLessThanOrEqual(100)
      expect(['Extreme Fear', 'Fear', 'Neutral', 'Greed', 'Extreme Greed']).toContain(day.classification)
    }
  })
})
