import { bucketStart, INTERVAL_MS, type Interval } from '../schema/index.js'
import type { MarketSim } from './market.js'
import { DAY_MS, MINUTE_MS, MINUTES_PER_DAY, type Window } from './time.js'
import { addUnits, type Units } from './units.js'

/** Receives candles as integers (price, volume and quote-volume units of the symbol's grids). */
export type CandleSink = (
  interval: Interval,
  openMs: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: Units,
  quoteVolume: Units,
  trades: number,
) => void

interface Bucket {
  interval: Interval
  size: number
  start: number
  end: number
  /** False for a bucket that began before the window: it would be partial, so it is never emitted. */
  whole: boolean
  open: number
  high: number
  low: number
  close: number
  volume: Units
  quote: Units
  trades: number
}

/**
 * Turns the trades of a symbol into 1m candles and folds those into every coarser interval. A
 * coarse candle is emitted only when its whole bucket lies in the window, so a sub-window yields the
 * same candles for the buckets both cover, and each one equals the sum of the 1m candles beneath it.
 */
export class CandleBuilder {
  readonly #buckets: Bucket[]
  readonly #emitMinute: boolean

  constructor(
    readonly sim: MarketSim,
    readonly window: Window,
    intervals: readonly Interval[],
  ) {
    this.#emitMinute = intervals.includes('1m')
    this.#buckets = intervals
      .filter((interval) => interval !== '1m')
      .map((interval) => ({
        interval,
        size: INTERVAL_MS[interval],
        start: Number.NaN,
        end: Number.NEGATIVE_INFINITY,
        whole: false,
        open: 0,
        high: 0,
        low: 0,
        close: 0,
        volume: 0,
        quote: 0,
        trades: 0,
      }))
  }

  /**
   * Emits the candles of one UTC day that fall in the window. Days must come in order; a day may be
   * done in consecutive slices of minutes [from, to), starting at 0.
   */
  day(day: number, sink: CandleSink, from = 0, to = MINUTES_PER_DAY): void {
    const sim = this.sim
    const { startMs, endMs } = this.window
    const dayStart = day * DAY_MS
    if (from === 0) sim.simulateDay(day)
    const prices = sim.tradePrice
    const quantities = sim.tradeQuantity
    for (let minute = from; minute < to; minute++) {
      const ms = dayStart + minute * MINUTE_MS
      if (ms >= endMs) break
      const n = sim.minuteTrades(minute) // drawn even before the window: the day's stream is sequential
      if (ms < startMs) continue
      const open = prices[0] as number
      let high = open
      let low = open
      let volume = 0
      let quote = 0
      for (let k = 0; k < n; k++) {
        const price = prices[k] as number
        const quantity = quantities[k] as number
        if (price > high) high = price
        if (price < low) low = price
        volume += quantity
        quote += price * quantity
      }
      const close = prices[n - 1] as number
      const exactQuote = quote <= Number.MAX_SAFE_INTEGER ? quote : bigQuote(prices, quantities, n)
      if (this.#emitMinute) sink('1m', ms, open, high, low, close, volume, exactQuote, n)
      for (const bucket of this.#buckets)
        this.#fold(bucket, ms, open, high, low, close, volume, exactQuote, n, sink)
    }
  }

  #fold(
    b: Bucket,
    ms: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    quote: Units,
    trades: number,
    sink: CandleSink,
  ): void {
    if (ms >= b.end) {
      b.start = bucketStart(ms, b.interval)
      b.end = b.start + b.size
      b.whole = b.start >= this.window.startMs
      b.open = open
      b.high = high
      b.low = low
      b.volume = volume
      b.quote = quote
      b.trades = trades
    } else {
      if (high > b.high) b.high = high
      if (low < b.low) b.low = low
      b.volume = addUnits(b.volume, volume)
      b.quote = addUnits(b.quote, quote)
      b.trades += trades
    }
    b.close = close
    if (ms + MINUTE_MS === b.end && b.whole)
      sink(b.interval, b.start, b.open, b.high, b.low, b.close, b.volume, b.quote, b.trades)
  }
}

function bigQuote(prices: Float64Array, quantities: Float64Array, n: number): bigint {
  let sum = 0n
  for (let k = 0; k < n; k++) sum += BigInt(prices[k] as number) * BigInt(quantities[k] as number)
  return sum
}
