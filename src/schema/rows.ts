import { z } from 'zod'
import { compareDecimal } from './decimal.js'
import { EXCHANGES, INTERVALS, METRIC_TYPES } from './enums.js'

/**
 * Row schemas of the four tables, field names as in SQL. Decimals travel as strings so that no
 * digit is lost (the pool's type parsers return `numeric` as text); ids as bigint.
 */
export const Decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number written as a string')
const NonNegativeDecimal = Decimal.refine((v) => compareDecimal(v, '0') >= 0, 'must be ≥ 0')
const PositiveDecimal = Decimal.refine((v) => compareDecimal(v, '0') > 0, 'must be > 0')
export const TradingSymbol = z
  .string()
  .regex(/^[A-Z0-9]{2,20}$/, 'must be 2–20 upper-case letters or digits, e.g. BTCUSDT')
const Id = z.bigint().nonnegative()
export const PriceLevel = z.tuple([PositiveDecimal, PositiveDecimal])

export const Candlestick = z
  .object({
    id: Id.optional(),
    exchange: z.enum(EXCHANGES),
    symbol: TradingSymbol,
    interval: z.enum(INTERVALS),
    timestamp: z.date(),
    open_price: PositiveDecimal,
    high_price: PositiveDecimal,
    low_price: PositiveDecimal,
    close_price: PositiveDecimal,
    volume: NonNegativeDecimal,
    quote_volume: NonNegativeDecimal,
    trades_count: z.number().int().nonnegative(),
  })
  .superRefine((row, ctx) => {
    const { open_price: open, high_price: high, low_price: low, close_price: close } = row
    const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message })
    if ([open, close, low].some((price) => compareDecimal(high, price) < 0))
      fail('high_price', `high_price ${high} must be ≥ open_price, close_price and low_price`)
    if ([open, close].some((price) => compareDecimal(low, price) > 0))
      fail('low_price', `low_price ${low} must be ≤ open_price and close_price`)
  })

export const Trade = z.object({
  id: Id.optional(),
  exchange: z.enum(EXCHANGES),
  symbol: TradingSymbol,
  trade_id: Id,
  timestamp: z.date(),
  price: PositiveDecimal,
  quantity: PositiveDecimal,
  quote_quantity: NonNegativeDecimal,
  is_buyer_maker: z.boolean(),
})

export const OrderBook = z
  .object({
    id: Id.optional(),
    exchange: z.enum(EXCHANGES),
    symbol: TradingSymbol,
    timestamp: z.date(),
    bids: z.array(PriceLevel),
    asks: z.array(PriceLevel),
    last_update_id: Id,
  })
  .superRefine((row, ctx) => {
    const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message })
    const bids = row.bids.map(([price]) => price)
    const asks = row.asks.map(([price]) => price)
    if (bids.some((p, i) => i > 0 && compareDecimal(p, bids[i - 1] as string) >= 0))
      fail('bids', 'bid prices must strictly decrease from the best bid')
    if (asks.some((p, i) => i > 0 && compareDecimal(p, asks[i - 1] as string) <= 0))
      fail('asks', 'ask prices must strictly increase from the best ask')
    const [bestBid, bestAsk] = [bids[0], asks[0]]
    if (bestBid !== undefined && bestAsk !== undefined && compareDecimal(bestBid, bestAsk) >= 0)
      fail('bids', `best bid ${bestBid} must be below best ask ${bestAsk} (the book is crossed)`)
  })

export const MarketMetric = z.object({
  id: Id.optional(),
  metric_type: z.enum(METRIC_TYPES),
  timestamp: z.date(),
  value: Decimal,
  metadata: z.record(z.string(), z.unknown()),
})

export type Candlestick = z.infer<typeof Candlestick>
export type Trade = z.infer<typeof Trade>
export type OrderBook = z.infer<typeof OrderBook>
export type MarketMetric = z.infer<typeof MarketMetric>
export type PriceLevel = z.infer<typeof PriceLevel>

/** Table name → row schema, in the order the tables depend on nothing (load order). */
export const TABLES = {
  candlesticks: Candlestick,
  trades: Trade,
  order_books: OrderBook,
  market_metrics: MarketMetric,
} as const
export type TableName = keyof typeof TABLES
