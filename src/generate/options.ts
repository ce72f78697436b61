import { EXCHANGES, type Exchange, INTERVALS, type Interval, TradingSymbol } from '../schema/index.js'
import type { BookShape } from './books.js'
import { DEFAULT_SEED } from './defaults.js'
import { MAX_TRADES_PER_MINUTE } from './market.js'
import { resolveWindow, type Window } from './time.js'

export { DEFAULT_SEED }
export const DEFAULT_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'] as const

/** What to generate; every field has a default. */
export interface GenerateOptions {
  /** Same seed, same rows, on every machine and every day. Default 42. */
  seed?: number | string
  /** Default BTCUSDT, ETHUSDT, BNBUSDT. Any symbol works; unknown ones get a profile from their name. */
  symbols?: readonly string[]
  /** Default `binance`. */
  exchange?: Exchange
  /** Length of the window in days (fractions allowed). Default 30. */
  days?: number
  /** End of the window, exclusive, floored to the minute. Default `DEFAULT_END` (2026-01-01T00:00Z). */
  end?: Date | string | number
  /** Candle intervals to emit. Default all eight. Coarse candles cover only buckets wholly in the window. */
  intervals?: readonly Interval[]
  /** Mean trades per minute per symbol (at least one trade every minute). Default 4. */
  tradesPerMinute?: number
  /** Minutes between order-book snapshots, on the epoch's grid. Default 60 (every full hour). */
  orderBookEveryMinutes?: number
  /** Levels on each side of a snapshot. Default 20. */
  orderBookDepth?: number
}

export interface ResolvedOptions {
  seed: number | string
  symbols: readonly string[]
  exchange: Exchange
  days: number
  window: Window
  intervals: readonly Interval[]
  tradesPerMinute: number
  book: BookShape
}

export function resolveOptions(options: GenerateOptions = {}): ResolvedOptions {
  const seed = options.seed ?? DEFAULT_SEED
  const symbols = [...new Set(options.symbols ?? DEFAULT_SYMBOLS)]
  for (const symbol of symbols) {
    const parsed = TradingSymbol.safeParse(symbol)
    if (!parsed.success) throw new Error(`symbol "${symbol}": ${parsed.error.issues[0]?.message}`)
  }
  const exchange = options.exchange ?? 'binance'
  if (!EXCHANGES.includes(exchange))
    throw new Error(`exchange "${exchange}": must be one of ${EXCHANGES.join(', ')}`)
  const intervals = INTERVALS.filter((interval) => (options.intervals ?? INTERVALS).includes(interval))
  for (const interval of options.intervals ?? [])
    if (!INTERVALS.includes(interval))
      throw new Error(`interval "${interval}": must be one of ${INTERVALS.join(', ')}`)
  const tradesPerMinute = options.tradesPerMinute ?? 4
  if (!(tradesPerMinute > 0 && tradesPerMinute <= MAX_TRADES_PER_MINUTE))
    throw new Error(`tradesPerMinute must be in (0, ${MAX_TRADES_PER_MINUTE}], got ${tradesPerMinute}`)
  const everyMinutes = options.orderBookEveryMinutes ?? 60
  if (!(Number.isInteger(everyMinutes) && everyMinutes >= 1))
    throw new Error(`orderBookEveryMinutes must be a whole number ≥ 1, got ${everyMinutes}`)
  const depth = options.orderBookDepth ?? 20
  if (!(Number.isInteger(depth) && depth >= 1 && depth <= 1000))
    throw new Error(`orderBookDepth must be a whole number from 1 to 1000, got ${depth}`)
  const days = options.days ?? 30
  return {
    seed,
    symbols,
    exchange,
    days,
    window: resolveWindow(days, options.end),
    intervals,
    tradesPerMinute,
    book: { everyMinutes, depth },
  }
}
