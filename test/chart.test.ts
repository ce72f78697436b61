// Charts without a database: the generator's rows folded into bars, the book, the metrics, the page.
import { describe, expect, test } from 'vitest'
import { chooseInterval } from '../src/chart/bars.js'
import { collectChartData, renderChart } from '../src/chart/index.js'
import { createFactories } from '../src/factories/index.js'
import { generate } from '../src/generate/index.js'

const WEEK = { seed: 42, days: 7, symbols: ['BTCUSDT', 'ETHUSDT'] }
const bar = (row: {
  timestamp: Date
  open_price: string
  high_price: string
  low_price: string
  close_price: string
}) => [
  row.timestamp.getTime() / 1000,
  Number(row.open_price),
  Number(row.high_price),
  Number(row.low_price),
  Number(row.close_price),
]

describe('from the generator', () => {
  test("a week at 1h: the generator's own 1h candles, one bar each", async () => {
    const data = await collectChartData({ generate: WEEK }, { interval: '1h' })
    expect(data.markets.map((market) => market.symbol)).toEqual(['BTCUSDT', 'ETHUSDT'])
    const btc = data.markets[0]
    if (!btc) throw new Error('no market')
    const own = [...generate.candlesticks({ ...WEEK, symbols: ['BTCUSDT'], intervals: ['1h'] })]
    expect(btc.bars).toHaveLength(168)
    expect(btc.bars.map((b) => b.slice(0, 5))).toEqual(own.map(bar)) // exact: same decimals, same floats
    btc.bars.forEach((b, i) => {
      expect(b[5]).toBe(Number(own[i]?.volume))
    })
    const minutes = [...generate.candlesticks({ ...WEEK, symbols: ['BTCUSDT'], intervals: ['1m'] })]
    expect(btc.rowsIn).toEqual({
      table: 'candlesticks',
      interval: '1h',
      rows: 168,
      trades: minutes.reduce((sum, row) => sum + row.trades_count, 0),
    })
    expect(btc.precision).toBe(2)
    expect(data.window).toEqual({ start: '2025-12-25T00:00:00.000Z', end: '2026-01-01T00:00:00.000Z' })
    expect(data.source).toBe('generated · seed 42 · binance')
    expect(data.title).toBe('BTCUSDT, ETHUSDT on binance')
  })

  test('a window off the hour: 15m candles folded into hourly bars, the edge hours partial', async () => {
    const window = { ...WEEK, symbols: ['BTCUSDT'], end: '2025-12-31T23:45Z' }
    const data = await collectChartData({ generate: window }, { interval: '1h' })
    const btc = data.markets[0]
    // the window holds whole 15m buckets, not whole hours: its 15m candles are read
    expect(btc?.rowsIn).toMatchObject({ table: 'candlesticks', interval: '15m', rows: 7 * 96 })
    expect(btc?.bars).toHaveLength(169) // 23:45-24:00 on the first day … 23:00-23:45 on the last
    // the whole hours equal the generator's own 1h candles, which it writes for whole hours only
    const own = [...generate.candlesticks({ ...window, intervals: ['1h'] })]
    const inner = btc?.bars.slice(1, -1) ?? []
    expect(inner.map((b) => b.slice(0, 5))).toEqual(own.map(bar))
    inner.forEach((b, i) => {
      expect(b[5]).toBeCloseTo(Number(own[i]?.volume), 6)
    })
    const quarters = [...generate.candlesticks({ ...window, intervals: ['15m'] })]
    expect(btc?.bars[0]?.slice(1, 5)).toEqual(bar(quarters[0] as (typeof quarters)[number]).slice(1, 5))
  })

  test('the book is the last snapshot of the window, the same as in the whole generated window', async () => {
    const data = await collectChartData({ generate: WEEK }, { interval: '1h' })
    const books = [...generate.orderBooks({ ...WEEK, symbols: ['ETHUSDT'] })]
    const last = books.at(-1)
    const eth = data.markets.find((market) => market.symbol === 'ETHUSDT')
    expect(eth?.book?.timestamp).toBe('2025-12-31T23:00:00.000Z')
    expect(eth?.book?.timestamp).toBe(last?.timestamp.toISOString())
    expect(eth?.book?.bids).toEqual(last?.bids.map(([p, q]) => [Number(p), Number(q)]))
    expect(eth?.book?.asks).toHaveLength(20)
    // --at picks an earlier snapshot: the last one at or before it
    const earlier = await collectChartData({ generate: WEEK }, { interval: '1h', at: '2025-12-28T10:59Z' })
    expect(earlier.markets[0]?.book?.timestamp).toBe('2025-12-28T10:00:00.000Z')
    const before = await collectChartData({ generate: WEEK }, { interval: '1h', at: '2025-12-01' })
    expect(before.markets[0]?.book).toBeNull()
  })

  test('metrics: one entry per day with dominance, market cap, fear & greed and its classification', async () => {
    const data = await collectChartData({ generate: WEEK })
    expect(data.metrics.rowsIn).toBe(21)
    expect(data.metrics.days).toHaveLength(7)
    for (const day of data.metrics.days) {
      expect(day.btcDominance).toBeGreaterThan(0)
      expect(day.btcDominance).toBeLessThan(100)
      expect(day.totalMarketCap).toBeGreaterThan(1e11)
      expect(day.classification).toMatch(/^(Extreme Fear|Fear|Neutral|Greed|Extreme Greed)$/)
    }
  })

  test('--symbol is drawn first, and drawn even when the list leaves it out', async () => {
    const data = await collectChartData({ generate: { ...WEEK, days: 1 } }, { symbol: 'SOLUSDT' })
    expect(data.markets.map((market) => market.symbol)).toEqual(['SOLUSDT', 'BTCUSDT', 'ETHUSDT'])
  })
})

describe('the interval', () => {
  test('auto: the finest with at most 500 bars, never finer than the data', () => {
    const day = 86_400_000
    expect(chooseInterval(7 * day, '1m')).toBe('30m')
    expect(chooseInterval(30 * day, '1m')).toBe('4h')
    expect(chooseInterval(365 * day, '1m')).toBe('1d')
    expect(chooseInterval(3650 * day, '1m')).toBe('7d')
    expect(chooseInterval(2 * 3_600_000, '1h')).toBe('1h')
    expect(chooseInterval(7 * day, '1m', 'auto', 2100)).toBe('5m')
  })

  test('a bar count too large for a page is refused, naming an interval that fits', async () => {
    await expect(collectChartData({ generate: { days: 365 } }, { interval: '1m' })).rejects.toThrow(
      'interval 1m gives 525600 bars over this window; a chart holds at most 20000: choose 30m or coarser, or a shorter window',
    )
  })
})

describe('from rows in memory', () => {
  test("a test's factory rows: candles of two intervals, trades of another market, a book, metrics", async () => {
    const factories = createFactories(undefined as never, { seed: 1 })
    const hourly = factories.candlestick.buildList(48, { symbol: 'BTCUSDT', interval: '1h' })
    const minutes = factories.candlestick.buildList(120, { symbol: 'BTCUSDT', interval: '1m' })
    const trades = factories.trade.buildList(30, { symbol: 'ETHUSDT', exchange: 'gateio' })
    const book = factories.orderBook.build({ symbol: 'BTCUSDT' })
    const metrics = factories.marketMetric.fearGreedIndex().buildList(3)
    const data = await collectChartData(
      { rows: { candlesticks: [...hourly, ...minutes], trades, orderBooks: [book], marketMetrics: metrics } },
      { interval: '4h' },
    )
    const [btc, eth] = data.markets
    // the coarsest candles not coarser than the bars: 1h, not 1m
    expect(btc?.rowsIn).toMatchObject({ table: 'candlesticks', interval: '1h', rows: 48 })
    expect(btc?.bars).toHaveLength(12)
    expect(btc?.bars[0]?.[1]).toBe(Number(hourly[0]?.open_price))
    expect(btc?.bars[0]?.[4]).toBe(Number(hourly[3]?.close_price))
    expect(btc?.bars[0]?.[2]).toBe(Math.max(...hourly.slice(0, 4).map((row) => Number(row.high_price))))
    expect(btc?.book?.bids).toHaveLength(book.bids.length)
    expect(eth).toMatchObject({
      exchange: 'gateio',
      symbol: 'ETHUSDT',
      rowsIn: { table: 'trades', rows: 30, trades: 30 },
    })
    expect(data.metrics.days.map((day) => day.fearGreed)).toEqual(metrics.map((row) => Number(row.value)))
  })

  test('rows in any order give the same bars', async () => {
    const factories = createFactories(undefined as never, { seed: 3 })
    const rows = factories.candlestick.buildList(60, { interval: '1m' })
    const sorted = await collectChartData({ rows: { candlesticks: rows } }, { interval: '15m' })
    const shuffled = await collectChartData(
      { rows: { candlesticks: [...rows].reverse() } },
      { interval: '15m' },
    )
    const [a, b] = [sorted.markets[0]?.bars ?? [], shuffled.markets[0]?.bars ?? []]
    expect(b.map((bar) => bar.slice(0, 5))).toEqual(a.map((bar) => bar.slice(0, 5)))
    b.forEach((bar, i) => {
      expect(bar[5]).toBeCloseTo(a[i]?.[5] as number, 9) // float sums, any order
    })
  })

  test('nothing to draw: an empty page that says so, no error', async () => {
    const data = await collectChartData({ rows: {} })
    expect(data).toMatchObject({ markets: [], metrics: { days: [], rowsIn: 0 }, window: null })
    expect(await renderChart({ rows: {} })).toContain('<title>Market metrics</title>')
  })

  test('a symbol without rows is named, with the ones there are', async () => {
    const factories = createFactories(undefined as never, { seed: 3 })
    const rows = factories.candlestick.buildList(3)
    await expect(collectChartData({ rows: { candlesticks: rows } }, { symbol: 'DOGEUSDT' })).rejects.toThrow(
      'symbol DOGEUSDT: no rows of it to chart (found BTCUSDT)',
    )
  })
})

describe('the page', () => {
  test('self-contained: the library inline, no external script, style or font; data escaped', async () => {
    const html = await renderChart({ generate: { ...WEEK, days: 1 } }, { title: '</script><b>x</b>' })
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain('TradingView Lightweight Charts™ v5.')
    // (the library's own SVG logo refers to its clip path as url(#a): not a request)
    expect(/<script[^>]+src=|<link|@import/i.exec(html)?.[0]).toBeUndefined()
    expect(/url\((?!#)/.exec(html)?.[0]).toBeUndefined()
    expect(html.match(/<\/script>/g)).toHaveLength(3) // data, library, page: the title did not close one
    expect(html).toContain('<title>&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;</title>')
    expect(html).toContain('"title":"\\u003c/script>\\u003cb>x\\u003c/b>"')
  })

  test('same seed, same bytes; another seed, another page', async () => {
    const a = await renderChart({ generate: WEEK }, { interval: '1h' })
    const b = await renderChart({ generate: WEEK }, { interval: '1h' })
    const c = await renderChart({ generate: { ...WEEK, seed: 43 } }, { interval: '1h' })
    expect(a).toBe(b)
    expect(c).not.toBe(a)
  })
})
