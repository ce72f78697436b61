import type { MarketSim } from './market.js'
import { keyedRandom } from './random.js'
import { DAY_MS, MINUTE_MS, MINUTES_PER_DAY, type Window } from './time.js'

export interface BookShape {
  /** A snapshot every this many minutes, on the epoch's minute grid (60: at every full hour). */
  everyMinutes: number
  /** Price levels on each side. */
  depth: number
}

/** Receives a snapshot; `bids` and `asks` hold price, quantity unit pairs, best level first. */
export type BookSink = (ms: number, lastUpdateId: number, bids: number[], asks: number[]) => void

/**
 * Emits the order-book snapshots of one UTC day in the window. A snapshot at minute boundary t shows
 * the book after the last trade before t: best bid ≤ that price ≤ best ask, best bid < best ask,
 * prices strictly monotone away from the mid, size decaying with distance. last_update_id is
 * t's minute index × 1000, above the trade_id of every earlier trade.
 */
export function booksOfDay(
  sim: MarketSim,
  window: Window,
  day: number,
  shape: BookShape,
  sink: BookSink,
): void {
  const dayStart = day * DAY_MS
  const every = shape.everyMinutes
  const firstMinute = Math.max(dayStart, window.startMs) / MINUTE_MS
  const endMinute = Math.min(dayStart + DAY_MS, window.endMs) / MINUTE_MS
  let minute = Math.ceil(firstMinute / every) * every
  if (minute >= endMinute) return
  sim.simulateDay(day)
  const tick = sim.price.multiplier
  const lot = sim.quantity
  const typical = sim.profile.typicalQuantity
  const decay = Math.max(1, shape.depth / 3)
  for (; minute < endMinute; minute += every) {
    const random = keyedRandom(sim.seed, sim.exchange, sim.profile.symbol, 'book', minute)
    const last = sim.unitsOf(sim.levels[minute - day * MINUTES_PER_DAY] as number)
    const spread = 1 + Math.floor(-Math.log(1 - random()) * 0.8) // in ticks, mostly one
    const below = Math.floor(random() * (spread + 1)) // where the last trade sits inside the spread
    const bids: number[] = []
    const asks: number[] = []
    let bid = last - below * tick
    let ask = bid + spread * tick
    for (let level = 0; level < shape.depth; level++) {
      const size = typical * 3 * Math.exp(-level / decay)
      const bidSize = lots(size * (0.5 + random()), lot.inverse) * lot.multiplier
      const askSize = lots(size * (0.5 + random()), lot.inverse) * lot.multiplier
      if (bid > 0) bids.push(bid, bidSize)
      asks.push(ask, askSize)
      bid -= (1 + Math.floor(-Math.log(1 - random()) * (1 + level / 4))) * tick
      ask += (1 + Math.floor(-Math.log(1 - random()) * (1 + level / 4))) * tick
    }
    sink(minute * MINUTE_MS, minute * 1000, bids, asks)
  }
}

function lots(quantity: number, inverse: number): number {
  return Math.max(1, Math.round(quantity * inverse))
}
