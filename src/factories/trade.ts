import { formatPrice, priceStep } from '../generate/step.js'
import { formatUnits, unitsOfLog } from '../generate/units.js'
import { COLUMNS } from '../schema/columns.js'
import { compareDecimal, Trade } from '../schema/index.js'
import { formatSteps, multiplyDecimal } from './decimal.js'
import { Factory } from './factory.js'
import type { TableSpec } from './spec.js'
import { marketKey, marketOf } from './state.js'

export type TradeRow = Omit<Trade, 'id'>

export interface TradeTransient {
  /** Who took liquidity: `buy` = the taker bought (is_buyer_maker false), `sell` = the taker sold. */
  side: 'buy' | 'sell' | undefined
  /** Multiplier of the symbol's typical trade size. */
  size: number
}

interface TradeCursor {
  nextId: bigint
  lastMs: number
  price: string
}

/** Mean gap between two default trades of a series, in ms. */
const MEAN_GAP_MS = 1_500
/** Pareto tail of trade sizes, as in the generators. */
const SIZE_TAIL = 2.2

/**
 * Trades of a series (exchange, symbol) form one tape: trade_id 1, 2, 3…, timestamps strictly
 * increasing from the reference instant, prices a tick-rounded walk from the symbol's path price,
 * sizes fat-tailed around the typical size, and quote_quantity = price × quantity exactly.
 */
export const tradeSpec: TableSpec<TradeRow, TradeTransient, TradeCursor> = {
  name: 'trade',
  table: 'trades',
  schema: Trade,
  columns: COLUMNS.trades,
  sequenceFields: ['trade_id', 'timestamp'],
  transient: { side: undefined, size: 1 },
  involves: { quote_quantity: ['price', 'quantity'], is_buyer_maker: [] },

  seriesKey: marketKey,

  make({ given, transient, random, state }, cursor) {
    const { exchange, symbol, path, profile, tick, lot } = marketOf(given, state)
    const trade_id = given.trade_id ?? cursor?.nextId ?? state.lane.firstId
    const gap = 1 + Math.floor(-Math.log(1 - random()) * MEAN_GAP_MS)
    const timestamp = given.timestamp ?? new Date(cursor ? cursor.lastMs + gap : state.lane.startMs)
    const day = state.lane.day(timestamp.getTime())

    let price = given.price
    if (price === undefined && cursor) {
      // The generators' price step over the time since the last trade, on the symbol's tick.
      price = formatPrice(priceStep(random, Number(cursor.price), profile, gap), profile)
    }
    price ??= formatUnits(unitsOfLog(path.logOpen(day), tick), tick.decimals)

    const typical = profile.typicalQuantity * transient.size * ((SIZE_TAIL - 1) / SIZE_TAIL)
    const lots = Math.max(1, Math.round(typical * (1 - random()) ** (-1 / SIZE_TAIL) * lot.inverse))
    const quantity = given.quantity ?? formatSteps(lots, lot)
    const quote_quantity = given.quote_quantity ?? multiplyDecimal(price, quantity)
    const takerSold = transient.side ? transient.side === 'sell' : random() < 0.5
    const is_buyer_maker = given.is_buyer_maker ?? takerSold

    const row: TradeRow = {
      exchange,
      symbol,
      trade_id,
      timestamp,
      price,
      quantity,
      quote_quantity,
      is_buyer_maker,
    }
    const nextId = cursor && cursor.nextId > trade_id ? cursor.nextId : trade_id + 1n
    const lastMs = Math.max(cursor?.lastMs ?? Number.NEGATIVE_INFINITY, timestamp.getTime())
    return { row, cursor: { nextId, lastMs, price } }
  },

  check(row, { transient }) {
    const exact = multiplyDecimal(row.price, row.quantity)
    if (compareDecimal(row.quote_quantity, exact) !== 0) {
      const rule = `quote_quantity ${row.quote_quantity} must equal price × quantity = ${exact}`
      return { field: 'quote_quantity', rule }
    }
    if (transient.side && row.is_buyer_maker !== (transient.side === 'sell')) {
      const rule = `is_buyer_maker ${row.is_buyer_maker} contradicts ${transient.side}() (the taker ${transient.side === 'sell' ? 'sold: true' : 'bought: false'})`
      return { field: 'is_buyer_maker', rule }
    }
    return undefined
  },
}

/** Trade factory; traits pick the taker's side or a large size. */
export class TradeFactory extends Factory<TradeRow, TradeTransient> {
  /** The taker bought (lifted the ask): is_buyer_maker false. */
  buy(): this {
    return this.transient({ side: 'buy' })
  }

  /** The taker sold (hit the bid): is_buyer_maker true. */
  sell(): this {
    return this.transient({ side: 'sell' })
  }

  /** Twenty-five times the symbol's typical size: a block trade. */
  large(): this {
    return this.transient({ size: 25 })
  }
}
