import { expect } from 'vitest'
import type { Candlestick, MarketMetric, OrderBook, Trade } from '../src/schema/index.js'
import { INTERVAL_MS } from '../src/schema/index.js'

/** Exact decimal arithmetic for the checks: a decimal string as a bigint of 10^-10 units. */
export function scaled(value: string): bigint {
  const [whole = '0', fraction = ''] = value.split('.')
  return BigInt(whole + fraction.padEnd(10, '0'))
}

const MINUTE = 60_000

/** Extremes of bigints (Math.max does not take them). */
function biggest(values: bigint[]): bigint {
  let best = values[0] as bigint
  for (const v of values) if (v > best) best = v
  return best
}
function smallest(values: bigint[]): bigint {
  let best = values[0] as bigint
  for (const v of values) if (v < best) best = v
  return best
}
const key = (symbol: string, ms: number) => `${symbol}@${ms}`

/** Every 1m candle is exactly the aggregate of its trades, and every trade belongs to one. */
export function checkCandlesAgainstTrades(candles: Candlestick[], trades: Trade[]): void {
  const byMinute = new Map<string, Trade[]>()
  for (const trade of trades) {
    const k = key(trade.symbol, Math.floor(trade.timestamp.getTime() / MINUTE) * MINUTE)
    const list = byMinute.get(k) ?? []
    list.push(trade)
    byMinute.set(k, list)
  }
  const minutes = candles.filter((c) => c.interval === '1m')
  expect(minutes.length).toBe(byMinute.size)
  for (const candle of minutes) {
    const list = byMinute.get(key(candle.symbol, candle.timestamp.getTime()))
    if (!list) throw new Error(`no trades for ${candle.symbol} ${candle.timestamp.toISOString()}`)
    const prices = list.map((t) => scaled(t.price))
    expect(scaled(candle.open_price)).toBe(prices[0])
    expect(scaled(candle.close_price)).toBe(prices[prices.length - 1])
    expect(scaled(candle.high_price)).toBe(biggest(prices))
    expect(scaled(candle.low_price)).toBe(smallest(prices))
    expect(scaled(candle.volume)).toBe(list.reduce((s, t) => s + scaled(t.quantity), 0n))
    expect(scaled(candle.quote_volume)).toBe(list.reduce((s, t) => s + scaled(t.quote_quantity), 0n))
    expect(candle.trades_count).toBe(list.length)
  }
}

/** OHLC rules of every candle, and every coarse candle equal to the aggregate of its 1m candles. */
export function checkCandles(candles: Candlestick[], window: { startMs: number; endMs: number }): void {
  const minutes = new Map<string, Candlestick>()
  for (const c of candles) {
    const [open, high, low, close] = [c.open_price, c.high_price, c.low_price, c.close_price].map(scaled) as [
      bigint,
      bigint,
      bigint,
      bigint,
    ]
    expect(low > 0n && high >= open && high >= close && high >= low).toBe(true)
    expect(low <= open && low <= close).toBe(true)
    expect(scaled(c.volume) > 0n && scaled(c.quote_volume) > 0n && c.trades_count > 0).toBe(true)
    expect(c.timestamp.getTime()).toBeGreaterThanOrEqual(window.startMs)
    expect(c.timestamp.getTime() + INTERVAL_MS[c.interval]).toBeLessThanOrEqual(window.endMs)
    if (c.interval === '1m') minutes.set(key(c.symbol, c.timestamp.getTime()), c)
  }
  for (const c of candles) {
    if (c.interval === '1m') continue
    const parts: Candlestick[] = []
    for (let ms = c.timestamp.getTime(); ms < c.timestamp.getTime() + INTERVAL_MS[c.interval]; ms += MINUTE) {
      const part = minutes.get(key(c.symbol, ms))
      if (!part)
        throw new Error(`${c.interval} ${c.symbol} ${c.timestamp.toISOString()} lacks its 1m candle at ${ms}`)
      parts.push(part)
    }
    expect(c.open_price).toBe(parts[0]?.open_price)
    expect(c.close_price).toBe(parts[parts.length - 1]?.close_price)
    expect(scaled(c.high_price)).toBe(biggest(parts.map((p) => scaled(p.high_price))))
    expect(scaled(c.low_price)).toBe(smallest(parts.map((p) => scaled(p.low_price))))
    expect(scaled(c.volume)).toBe(parts.reduce((s, p) => s + scaled(p.volume), 0n))
    expect(scaled(c.quote_volume)).toBe(parts.reduce((s, p) => s + scaled(p.quote_volume), 0n))
    expect(c.trades_count).toBe(parts.reduce((s, p) => s + p.trades_count, 0))
  }
}

/** Trade ids unique and increasing per symbol in time order, quote = price × quantity exactly. */
export function checkTrades(trades: Trade[]): void {
  const last = new Map<string, Trade>()
  for (const t of trades) {
    expect(scaled(t.quote_quantity) * 10n ** 10n).toBe(scaled(t.price) * scaled(t.quantity))
    expect(scaled(t.price) > 0n && scaled(t.quantity) > 0n).toBe(true)
    expect(Math.floor(t.timestamp.getTime() / MINUTE)).toBe(Number(t.trade_id / 1000n))
    const previous = last.get(t.symbol)
    if (previous) {
      expect(t.trade_id > previous.trade_id).toBe(true)
      expect(t.timestamp.getTime()).toBeGreaterThanOrEqual(previous.timestamp.getTime())
    }
    last.set(t.symbol, t)
  }
}

/** Book invariants; `closeBefore` gives the last trade price before an instant when it is known. */
export function checkBooks(
  books: OrderBook[],
  closeBefore: (symbol: string, ms: number) => string | undefined,
): void {
  const lastId = new Map<string, bigint>()
  for (const book of books) {
    const bids = book.bids.map(([p]) => scaled(p))
    const asks = book.asks.map(([p]) => scaled(p))
    for (let i = 1; i < bids.length; i++) expect(bids[i] as bigint).toBeLessThan(bids[i - 1] as bigint)
    for (let i = 1; i < asks.length; i++) expect(asks[i] as bigint).toBeGreaterThan(asks[i - 1] as bigint)
    const [bestBid, bestAsk] = [bids[0] as bigint, asks[0] as bigint]
    expect(bestBid).toBeLessThan(bestAsk)
    const last = closeBefore(book.symbol, book.timestamp.getTime())
    if (last !== undefined) expect(bestBid <= scaled(last) && scaled(last) <= bestAsk).toBe(true)
    for (const side of [book.bids, book.asks]) {
      const sizes = side.map(([, q]) => Number(q))
      const near = sizes.slice(0, 5).reduce((a, b) => a + b, 0)
      const far = sizes.slice(-5).reduce((a, b) => a + b, 0)
      if (sizes.length >= 15) expect(near).toBeGreaterThan(far)
    }
    const previous = lastId.get(book.symbol)
    if (previous !== undefined) expect(book.last_update_id > previous).toBe(true)
    lastId.set(book.symbol, book.last_update_id)
  }
}

export function checkMetrics(metrics: MarketMetric[]): void {
  for (const m of metrics) {
    const value = Number(m.value)
    if (m.metric_type === 'btc_dominance') expect(value > 0 && value < 100).toBe(true)
    if (m.metric_type === 'total_market_cap') {
      expect(value).toBeGreaterThan(0)
      expect(scaled(m.value)).toBeGreaterThan(scaled(String(m.metadata.btc_market_cap)))
    }
    if (m.metric_type === 'fear_greed_index') {
      expect(m.value).toMatch(/^\d+$/)
      expect(value >= 0 && value <= 100).toBe(true)
    }
    expect(m.timestamp.getTime() % 86_400_000).toBe(0)
  }
}
