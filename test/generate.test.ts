import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { DEFAULT_END, type GenerateOptions, generate } from '../src/generate/index.js'
import { resolveWindow } from '../src/generate/time.js'
import { Candlestick, INTERVAL_MS, MarketMetric, OrderBook, Trade } from '../src/schema/index.js'
import {
  checkBooks,
  checkCandles,
  checkCandlesAgainstTrades,
  checkMetrics,
  checkTrades,
} from './generate-checks.js'

const DAY = 86_400_000
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'DOGEUSDT', 'XRPUSDT', 'PEPEUSDT', 'ABC123']

/** Small windows anywhere from two years before to a year after the anchor, at any minute. */
const smallMarket = fc.record({
  seed: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.string({ minLength: 1, maxLength: 8 })),
  symbols: fc.subarray(SYMBOLS, { minLength: 1, maxLength: 3 }),
  exchange: fc.constantFrom('binance', 'gateio', 'huobi' as const),
  days: fc.double({ min: 0.02, max: 0.35, noNaN: true }),
  end: fc
    .integer({ min: -730 * 1440, max: 365 * 1440 })
    .map((m) => new Date(DEFAULT_END.getTime() + m * 60_000)),
  tradesPerMinute: fc.double({ min: 0.5, max: 12, noNaN: true }),
  orderBookEveryMinutes: fc.integer({ min: 1, max: 90 }),
  orderBookDepth: fc.integer({ min: 1, max: 25 }),
})

const all = <T>(rows: Iterable<T>) => [...rows]

describe('generated rows obey every rule', () => {
  test('OHLC rules, 1m candles = their trades, coarse candles = their 1m candles, trade ids', () => {
    fc.assert(
      fc.property(smallMarket, (options) => {
        const window = resolveWindow(options.days, options.end)
        const candles = all(generate.candlesticks(options))
        const trades = all(generate.trades(options))
        expect(trades.length).toBeGreaterThan(0)
        checkCandles(candles, window)
        checkCandlesAgainstTrades(candles, trades)
        checkTrades(trades)
        for (const t of trades) expect(t.exchange).toBe(options.exchange)
      }),
      { numRuns: 30 },
    )
  })

  test('order books: monotone levels, straddling the last trade, decaying depth, increasing update ids', () => {
    fc.assert(
      fc.property(smallMarket, (options) => {
        const closes = new Map<string, string>()
        for (const c of generate.candlesticks({ ...options, intervals: ['1m'] }))
          closes.set(`${c.symbol}@${c.timestamp.getTime() + 60_000}`, c.close_price)
        const books = all(generate.orderBooks(options))
        for (const book of books) {
          OrderBook.parse(book)
          expect(book.bids.length).toBeLessThanOrEqual(options.orderBookDepth)
          expect(book.asks.length).toBe(options.orderBookDepth)
          expect(book.timestamp.getTime() % (options.orderBookEveryMinutes * 60_000)).toBe(0)
        }
        checkBooks(books, (symbol, ms) => closes.get(`${symbol}@${ms}`))
      }),
      { numRuns: 30 },
    )
  })

  test('a week ending on a Monday has its 7d candle, 1d candles, and the zod schemas accept every row', () => {
    const options: GenerateOptions = { seed: 7, symbols: ['ETHUSDT'], days: 8, end: '2025-12-29T00:00:00Z' }
    const candles = all(generate.candlesticks(options))
    const weeks = candles.filter((c) => c.interval === '7d')
    expect(weeks.map((c) => c.timestamp.toISOString())).toEqual(['2025-12-22T00:00:00.000Z'])
    expect(candles.filter((c) => c.interval === '1d')).toHaveLength(8)
    checkCandles(candles, resolveWindow(8, options.end))
    for (const c of candles) Candlestick.parse(c)
    for (const t of generate.trades({ ...options, days: 1 })) Trade.parse(t)
    for (const m of generate.marketMetrics(options)) MarketMetric.parse(m)
  })

  test('market metrics stay in range and follow the BTC price', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -800, max: 400 }), (seed, offset) => {
        const options = {
          seed,
          days: 3,
          end: new Date(DEFAULT_END.getTime() + offset * DAY),
          symbols: ['BTCUSDT'],
        }
        const metrics = all(generate.marketMetrics(options))
        expect(metrics).toHaveLength(9)
        checkMetrics(metrics)
        // Each midnight's BTC price is the close of the 23:59 candle before it.
        const closes = new Map<number, string>()
        for (const c of generate.candlesticks({ ...options, intervals: ['1m'] }))
          closes.set(c.timestamp.getTime() + 60_000, c.close_price)
        for (const m of metrics.filter((row) => closes.has(row.timestamp.getTime())))
          expect(m.metadata.btc_price).toBe(closes.get(m.timestamp.getTime()))
      }),
      { numRuns: 15 },
    )
  })
})

describe('keyed streams: a row depends on (seed, exchange, symbol, time), not on what else is generated', () => {
  const rowKey = (row: object) => JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))

  test('a symbol alone gives the same rows as with others', () => {
    fc.assert(
      fc.property(smallMarket, (options) => {
        const [symbol] = options.symbols as [string]
        const others = ['BTCUSDT', 'SOLUSDT', 'LTCUSDT'].filter((s) => s !== symbol)
        for (const kind of ['candlesticks', 'trades', 'orderBooks'] as const) {
          const rows = (o: GenerateOptions) => all(generate[kind](o) as Iterable<{ symbol: string }>)
          const alone = rows({ ...options, symbols: [symbol] }).map(rowKey)
          const mixed = rows({ ...options, symbols: [...others, symbol] })
          expect(mixed.filter((r) => r.symbol === symbol).map(rowKey)).toEqual(alone)
        }
      }),
      { numRuns: 10 },
    )
  })

  test('a sub-window gives the same rows as the larger window over the time both cover', () => {
    fc.assert(
      fc.property(smallMarket, fc.integer({ min: 0, max: 300 }), (options, back) => {
        const outer = { ...options, days: 0.6 }
        const outerWindow = resolveWindow(0.6, options.end)
        const inner = { ...options, end: new Date(outerWindow.endMs - back * 60_000) }
        const { startMs, endMs } = resolveWindow(options.days, inner.end)
        const inside = (ms: number, size: number) => ms >= startMs && ms + size <= endMs
        const candles = all(generate.candlesticks(outer)).filter((c) =>
          inside(c.timestamp.getTime(), INTERVAL_MS[c.interval]),
        )
        expect(all(generate.candlesticks(inner)).map(rowKey)).toEqual(candles.map(rowKey))
        const trades = all(generate.trades(outer)).filter((t) =>
          inside(Math.floor(t.timestamp.getTime() / 60_000) * 60_000, 60_000),
        )
        expect(all(generate.trades(inner)).map(rowKey)).toEqual(trades.map(rowKey))
        const books = all(generate.orderBooks(outer)).filter((b) => inside(b.timestamp.getTime(), 1))
        expect(all(generate.orderBooks(inner)).map(rowKey)).toEqual(books.map(rowKey))
      }),
      { numRuns: 10 },
    )
  })

  test('the seed, the exchange and the symbol each change the rows', () => {
    const base = { days: 0.1, symbols: ['BTCUSDT'] }
    const trades = (o: GenerateOptions) => all(generate.trades({ ...base, ...o })).map(rowKey)
    expect(trades({ seed: 1 })).not.toEqual(trades({ seed: 2 }))
    const prices = (o: GenerateOptions) => all(generate.trades({ ...base, ...o })).map((t) => t.price)
    expect(prices({ exchange: 'binance' })).not.toEqual(prices({ exchange: 'gateio' }))
    expect(trades({ seed: 'x' })).toEqual(trades({ seed: 'x' }))
  })

  test('options are validated with a message naming the field', () => {
    expect(() => generate.candlesticks({ symbols: ['btc-usdt'] })).toThrow(/symbol "btc-usdt"/)
    expect(() => generate.trades({ tradesPerMinute: 0 })).toThrow(/tradesPerMinute/)
    expect(() => generate.orderBooks({ orderBookDepth: 0 })).toThrow(/orderBookDepth/)
    expect(() => generate.candlesticks({ days: -1 })).toThrow(/days/)
    expect(() => generate.candlesticks({ exchange: 'kraken' as 'binance' })).toThrow(/exchange "kraken"/)
  })

  test('an end time without a zone is refused: it would give other rows in another time zone', () => {
    expect(() => resolveWindow(1, '2026-01-01T00:00')).toThrow(/end "2026-01-01T00:00" must be a date/)
    expect(resolveWindow(1, '2026-01-01').endMs).toBe(Date.UTC(2026, 0, 1))
    expect(resolveWindow(1, '2026-01-01T02:00+02:00').endMs).toBe(Date.UTC(2026, 0, 1))
  })
})
