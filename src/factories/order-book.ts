import type { Random } from '../generate/random.js'
import { priceStep } from '../generate/step.js'
import { MINUTE_MS } from '../generate/time.js'
import { unitsOfLog } from '../generate/units.js'
import { COLUMNS } from '../schema/columns.js'
import { OrderBook, type PriceLevel } from '../schema/index.js'
import { formatSteps, type gridOfStep, stepsOf } from './decimal.js'
import { Factory } from './factory.js'
import type { TableSpec } from './spec.js'
import { marketKey, marketOf } from './state.js'

export type OrderBookRow = Omit<OrderBook, 'id'>

export interface OrderBookTransient {
  /** Price levels on each side. */
  depth: number
  /** Distance from best bid to best ask in ticks; drawn (mostly one tick) when undefined. */
  spreadTicks: number | undefined
  /** Multiplier of the size at each level. */
  sizeScale: number
}

interface BookCursor {
  nextMs: number
  nextUpdateId: bigint
  /** Mid of the last book, in ticks. */
  mid: number
}

/**
 * Snapshots of a series (exchange, symbol) one minute apart from the reference instant, with
 * last_update_id increasing; the mid walks from the symbol's path price. Each side steps away
 * from the spread by 1+ ticks per level (gaps widening with depth) and its size decays with
 * distance, like the generators' books. A given side is kept and the other is built around it.
 */
export const orderBookSpec: TableSpec<OrderBookRow, OrderBookTransient, BookCursor> = {
  name: 'orderBook',
  table: 'order_books',
  schema: OrderBook,
  columns: COLUMNS.order_books,
  sequenceFields: ['timestamp', 'last_update_id'],
  transient: { depth: 10, spreadTicks: undefined, sizeScale: 1 },
  involves: { bids: ['asks'], asks: ['bids'] },

  seriesKey: marketKey,

  make({ given, transient, random, state }, cursor) {
    const { exchange, symbol, path, profile, tick, lot } = marketOf(given, state)
    const timestamp = given.timestamp ?? new Date(cursor?.nextMs ?? state.lane.startMs)
    const day = state.lane.day(timestamp.getTime())
    const last_update_id = given.last_update_id ?? cursor?.nextUpdateId ?? state.lane.firstId

    let mid = unitsOfLog(path.logOpen(day), tick) / tick.multiplier
    if (cursor) {
      // The generators' one-minute price step, in ticks.
      mid = Math.max(2, Math.round(priceStep(random, cursor.mid, profile, MINUTE_MS)))
    }
    const spread = transient.spreadTicks ?? 1 + Math.floor(-Math.log(1 - random()) * 0.8)
    const givenBid = given.bids?.[0]?.[0]
    const givenAsk = given.asks?.[0]?.[0]
    const bestBid =
      givenBid !== undefined
        ? stepsOf(givenBid, tick, 'floor')
        : givenAsk !== undefined
          ? stepsOf(givenAsk, tick, 'ceil') - spread
          : mid - Math.floor(spread / 2)
    const bestAsk = givenAsk !== undefined ? stepsOf(givenAsk, tick, 'ceil') : bestBid + spread

    const size = profile.typicalQuantity * 3 * transient.sizeScale
    const side = (best: number, direction: 1 | -1) =>
      levels(random, best, direction, transient.depth, size, tick, lot)
    const bids = given.bids ?? side(bestBid, -1)
    const asks = given.asks ?? side(bestAsk, 1)

    const row: OrderBookRow = { exchange, symbol, timestamp, bids, asks, last_update_id }
    const nextUpdateId = last_update_id + 1n + BigInt(Math.floor(random() * 50))
    const cursorNext = cursor && cursor.nextUpdateId > nextUpdateId ? cursor.nextUpdateId : nextUpdateId
    const nextMs = Math.max(cursor?.nextMs ?? 0, timestamp.getTime() + MINUTE_MS)
    return { row, cursor: { nextMs, nextUpdateId: cursorNext, mid: Math.round((bestBid + bestAsk) / 2) } }
  },
}

/** One side of a book from its best price outwards; levels at or below zero are left out. */
function levels(
  random: Random,
  best: number,
  direction: 1 | -1,
  depth: number,
  typicalSize: number,
  tick: ReturnType<typeof gridOfStep>,
  lot: ReturnType<typeof gridOfStep>,
): PriceLevel[] {
  const decay = Math.max(1, depth / 3)
  const out: PriceLevel[] = []
  let price = best
  for (let level = 0; level < depth && price > 0; level++) {
    const lots = Math.max(
      1,
      Math.round(typicalSize * Math.exp(-level / decay) * (0.5 + random()) * lot.inverse),
    )
    out.push([formatSteps(price, tick), formatSteps(lots, lot)])
    price += direction * (1 + Math.floor(-Math.log(1 - random()) * (1 + level / 4)))
  }
  return out
}

/** Order-book factory; a crossed book (best bid ≥ best ask) is always refused. */
export class OrderBookFactory extends Factory<OrderBookRow, OrderBookTransient> {
  /** Two levels a side, a tenth of the usual size: an illiquid market. */
  thin(): this {
    return this.transient({ depth: 2, sizeScale: 0.1 })
  }

  /** Fifty levels a side. */
  deep(): this {
    return this.transient({ depth: 50 })
  }

  /** A spread of 25 ticks between best bid and best ask. */
  wide(): this {
    return this.transient({ spreadTicks: 25 })
  }
}
