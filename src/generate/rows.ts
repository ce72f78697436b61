import type { Candlestick, MarketMetric, OrderBook, PriceLevel, Trade } from '../schema/index.js'
import { booksOfDay } from './books.js'
import type { CandleSink } from './candles.js'
import { metricsOfWindow } from './metrics.js'
import { type GenerateOptions, type ResolvedOptions, resolveOptions } from './options.js'
import { candleBuilders, createMarkets } from './sources.js'
import { type TradeSink, tradesOfDay } from './trades.js'
import { formatUnits } from './units.js'

/**
 * The generators as lazy iterables of rows (the shapes of `src/schema`). Each iteration starts
 * afresh; memory holds one UTC day of one symbol at a time, however long the window.
 */
function iterable<T>(run: () => Generator<T>): Iterable<T> {
  return { [Symbol.iterator]: run }
}

export function candlesticks(options: GenerateOptions = {}): Iterable<Candlestick> {
  const resolved = resolveOptions(options)
  return iterable(() => candleRows(resolved))
}

function* candleRows(options: ResolvedOptions): Generator<Candlestick> {
  const markets = createMarkets(options)
  const builders = candleBuilders(options, markets)
  for (const day of markets.days) {
    for (const builder of builders) {
      const { exchange, profile, price, quantity } = builder.sim
      const rows: Candlestick[] = []
      const quote = price.decimals + quantity.decimals
      const sink: CandleSink = (interval, ms, open, high, low, close, volume, quoteVolume, trades) => {
        rows.push({
          exchange,
          symbol: profile.symbol,
          interval,
          timestamp: new Date(ms),
          open_price: formatUnits(open, price.decimals),
          high_price: formatUnits(high, price.decimals),
          low_price: formatUnits(low, price.decimals),
          close_price: formatUnits(close, price.decimals),
          volume: formatUnits(volume, quantity.decimals),
          quote_volume: formatUnits(quoteVolume, quote),
          trades_count: trades,
        })
      }
      // An hour at a time: short-lived batches stay in the young generation (lower peak memory).
      for (let hour = 0; hour < 24; hour++) {
        builder.day(day, sink, hour * 60, hour * 60 + 60)
        yield* rows
        rows.length = 0
      }
    }
  }
}

export function trades(options: GenerateOptions = {}): Iterable<Trade> {
  const resolved = resolveOptions(options)
  return iterable(() => tradeRows(resolved))
}

function* tradeRows(options: ResolvedOptions): Generator<Trade> {
  const markets = createMarkets(options)
  for (const day of markets.days) {
    for (const sim of markets.sims) {
      const { exchange, profile, price, quantity } = sim
      const quote = price.decimals + quantity.decimals
      const rows: Trade[] = []
      const sink: TradeSink = (id, minuteMs, _minute, offset, p, q, pq, buyerMaker) => {
        rows.push({
          exchange,
          symbol: profile.symbol,
          trade_id: BigInt(id),
          timestamp: new Date(minuteMs + offset),
          price: formatUnits(p, price.decimals),
          quantity: formatUnits(q, quantity.decimals),
          quote_quantity: formatUnits(pq, quote),
          is_buyer_maker: buyerMaker,
        })
      }
      for (let hour = 0; hour < 24; hour++) {
        tradesOfDay(sim, options.window, day, sink, hour * 60, hour * 60 + 60)
        yield* rows
        rows.length = 0
      }
    }
  }
}

export function orderBooks(options: GenerateOptions = {}): Iterable<OrderBook> {
  const resolved = resolveOptions(options)
  return iterable(() => bookRows(resolved))
}

function* bookRows(options: ResolvedOptions): Generator<OrderBook> {
  const markets = createMarkets(options)
  for (const day of markets.days) {
    for (const sim of markets.sims) {
      const { exchange, profile, price, quantity } = sim
      const levels = (flat: number[]): PriceLevel[] => {
        const out: PriceLevel[] = []
        for (let i = 0; i < flat.length; i += 2)
          out.push([
            formatUnits(flat[i] as number, price.decimals),
            formatUnits(flat[i + 1] as number, quantity.decimals),
          ])
        return out
      }
      const rows: OrderBook[] = []
      booksOfDay(sim, options.window, day, options.book, (ms, lastUpdateId, bids, asks) => {
        rows.push({
          exchange,
          symbol: profile.symbol,
          timestamp: new Date(ms),
          bids: levels(bids),
          asks: levels(asks),
          last_update_id: BigInt(lastUpdateId),
        })
      })
      yield* rows
    }
  }
}

/** Daily metrics; they depend on the seed and the window only (not on symbols or exchange). */
export function marketMetrics(options: GenerateOptions = {}): Iterable<MarketMetric> {
  const resolved = resolveOptions(options)
  return iterable(() => metricsOfWindow(resolved.seed, resolved.window))
}
