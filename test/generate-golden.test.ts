import { createHash } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { type GenerateOptions, generate } from '../src/generate/index.js'

/** SHA-256 of rows written one JSON line each (bigints as strings), in generation order. */
function sha256(rows: Iterable<object>): string {
  const hash = createHash('sha256')
  for (const row of rows)
    hash.update(`${JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? String(v) : v))}\n`)
  return hash.digest('hex')
}

const only = <T extends { symbol: string }>(rows: Iterable<T>, symbol: string) =>
  [...rows].filter((r) => r.symbol === symbol)

/**
 * A fixed seed and window give fixed bytes on every machine and every day. If a change to the model
 * is intended, update these hashes in the same commit and say so: every user's data changes with them.
 */
const GOLDEN: GenerateOptions = { seed: 20260101, days: 1, end: '2025-12-15T06:00:00Z', symbols: ['BTCUSDT'] }
const HASHES = {
  candlesticks: 'f52b22cf7d6b53c254a32bc625aadba743896015ff51872b1f5992c285e7f286',
  trades: '229c97c80af07470e22b4808447c9d3578b73ecb91a1ec3cc44e405c64d6c6d3',
  orderBooks: '643850e11aa07b2cc42b81b00e8db5e45bb9adc6562491e0cae252af97683fd5',
  marketMetrics: '5d2b9fafe3f9b5802246dd34437dc3e2b5cbfa7ef416f39201dfae1ab10278e1',
}

describe('golden rows', () => {
  test('a fixed seed and window give a fixed SHA-256 per table', () => {
    const actual = {
      candlesticks: sha256(generate.candlesticks(GOLDEN)),
      trades: sha256(generate.trades(GOLDEN)),
      orderBooks: sha256(generate.orderBooks(GOLDEN)),
      marketMetrics: sha256(generate.marketMetrics({ ...GOLDEN, days: 30 })),
    }
    expect(actual).toEqual(HASHES)
  })

  test('the same hash for BTCUSDT alone and with other symbols', () => {
    const withOthers = { ...GOLDEN, symbols: ['ETHUSDT', 'BTCUSDT', 'BNBUSDT', 'SOLUSDT'] }
    expect(sha256(only(generate.candlesticks(withOthers), 'BTCUSDT'))).toBe(HASHES.candlesticks)
    expect(sha256(only(generate.trades(withOthers), 'BTCUSDT'))).toBe(HASHES.trades)
    expect(sha256(only(generate.orderBooks(withOthers), 'BTCUSDT'))).toBe(HASHES.orderBooks)
  })

  test('the same hash for the golden day cut out of a longer window', () => {
    const longer = { ...GOLDEN, days: 3, end: '2025-12-16T09:30:00Z' }
    const start = Date.parse('2025-12-14T06:00:00Z')
    const end = Date.parse('2025-12-15T06:00:00Z')
    const sizes: Record<string, number> = {
      '1m': 1,
      '5m': 5,
      '15m': 15,
      '30m': 30,
      '1h': 60,
      '4h': 240,
      '1d': 1440,
      '7d': 10080,
    }
    const inside = (ms: number, minutes: number) => ms >= start && ms + minutes * 60_000 <= end
    const candles = [...generate.candlesticks(longer)].filter((c) =>
      inside(c.timestamp.getTime(), sizes[c.interval] ?? 0),
    )
    expect(sha256(candles)).toBe(HASHES.candlesticks)
    const trades = [...generate.trades(longer)].filter((t) =>
      inside(Math.floor(t.timestamp.getTime() / 60_000) * 60_000, 1),
    )
    expect(sha256(trades)).toBe(HASHES.trades)
    const books = [...generate.orderBooks(longer)].filter(
      (b) => inside(b.timestamp.getTime(), 0) && b.timestamp.getTime() < end,
    )
    expect(sha256(books)).toBe(HASHES.orderBooks)
    const metrics = [...generate.marketMetrics({ ...GOLDEN, days: 60 })].filter(
      (m) => m.timestamp.getTime() >= Date.parse('2025-11-15T06:00:00Z'),
    )
    expect(sha256(metrics)).toBe(HASHES.marketMetrics)
  })
})
