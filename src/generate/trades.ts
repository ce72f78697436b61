import type { MarketSim } from './market.js'
import { DAY_MS, MINUTE_MS, MINUTES_PER_DAY, type Window } from './time.js'
import type { Units } from './units.js'

/** Receives one trade: ids and times, then price, quantity and quote units of the symbol's grids. */
export type TradeSink = (
  tradeId: number,
  minuteMs: number,
  minuteOfDay: number,
  offsetMs: number,
  price: number,
  quantity: number,
  quote: Units,
  buyerMaker: boolean,
) => void

/**
 * Emits the trades of one UTC day that fall in the window, in time order. trade_id is
 * minute-since-epoch × 1000 + k: unique and increasing per (exchange, symbol) in any window.
 * A day may be done in consecutive slices of minutes [from, to), starting at 0.
 */
export function tradesOfDay(
  sim: MarketSim,
  window: Window,
  day: number,
  sink: TradeSink,
  from = 0,
  to = MINUTES_PER_DAY,
): void {
  const { startMs, endMs } = window
  const dayStart = day * DAY_MS
  if (from === 0) sim.simulateDay(day)
  const prices = sim.tradePrice
  const quantities = sim.tradeQuantity
  const offsets = sim.tradeOffset
  const makers = sim.tradeBuyerMaker
  for (let minute = from; minute < to; minute++) {
    const ms = dayStart + minute * MINUTE_MS
    if (ms >= endMs) break
    const n = sim.minuteTrades(minute)
    sim.minuteTape(minute)
    if (ms < startMs) continue
    const firstId = (ms / MINUTE_MS) * 1000
    for (let k = 0; k < n; k++) {
      const price = prices[k] as number
      const quantity = quantities[k] as number
      const quote = price * quantity
      sink(
        firstId + k,
        ms,
        minute,
        offsets[k] as number,
        price,
        quantity,
        quote <= Number.MAX_SAFE_INTEGER ? quote : BigInt(price) * BigInt(quantity),
        makers[k] === 1,
      )
    }
  }
}
