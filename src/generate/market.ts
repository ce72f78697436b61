import type { Exchange } from '../schema/index.js'
import { decimalsOf, type SymbolProfile } from './markets.js'
import { type SymbolPath, TAIL_DOF } from './path.js'
import { keyedRandom, type Random, studentT } from './random.js'
import { VOLATILITY_SEASON, VOLUME_SEASON, WEEKEND_VOLUME } from './season.js'
import { MINUTES_PER_DAY, weekday } from './time.js'
import { type Grid, gridOf, unitsOfLog } from './units.js'

/** Trades in one minute are numbered below this: trade_id = minute index × 1000 + k. */
export const MAX_TRADES_PER_MINUTE = 999
/** Mean |z| of a unit-variance Student-t with 4 degrees of freedom. */
const MEAN_ABS_SHOCK = Math.SQRT1_2
const GARCH_ALPHA = 0.06
const GARCH_BETA = 0.92
const SIZE_TAIL = 2.2 // Pareto tail index of trade sizes
const SIZE_SCALE = (SIZE_TAIL - 1) / SIZE_TAIL // makes the mean size the profile's typical size
const MAX_SIZE = 50 // in typical sizes

/**
 * One symbol on one exchange, simulated a UTC day at a time. `simulateDay` draws the minute path
 * (a GARCH(1,1) walk of Student-t shocks with intraday seasonality and the symbol's hourly and daily
 * volatility, bridged to end exactly on the next midnight's price) and each minute's trade count.
 * `minuteTrades` then draws the trades of minute after minute, each a walk from the previous close
 * to this minute's close. Streams are keyed by (seed, exchange, symbol, day), never by window.
 */
export class MarketSim {
  readonly price: Grid
  readonly quantity: Grid
  /** Log price at each minute boundary of the simulated day; [1440] is the next midnight. */
  readonly levels = new Float64Array(MINUTES_PER_DAY + 1)
  /** Close of each minute (price units): the last trade, and the level at its end. */
  readonly closeUnits = new Float64Array(MINUTES_PER_DAY)
  readonly counts = new Uint16Array(MINUTES_PER_DAY)
  readonly #sigma = new Float64Array(MINUTES_PER_DAY)
  readonly #absShock = new Float64Array(MINUTES_PER_DAY)
  /** The trades of the last `minuteTrades` call: price and quantity units. */
  readonly tradePrice = new Float64Array(MAX_TRADES_PER_MINUTE)
  readonly tradeQuantity = new Float64Array(MAX_TRADES_PER_MINUTE)
  /** The tape of the last `minuteTape` call: offset in the minute (ms) and the maker side. */
  readonly tradeOffset = new Uint16Array(MAX_TRADES_PER_MINUTE)
  readonly tradeBuyerMaker = new Uint8Array(MAX_TRADES_PER_MINUTE)
  day = Number.NaN
  #tradeRandom: Random = Math.random
  #tapeRandom: Random = Math.random
  #nextTradeMinute = 0
  #nextTapeMinute = 0

  constructor(
    readonly seed: number | string,
    readonly exchange: Exchange,
    readonly profile: SymbolProfile,
    readonly path: SymbolPath,
    readonly tradesPerMinute: number,
  ) {
    this.price = gridOf(profile.tickSize, decimalsOf)
    this.quantity = gridOf(profile.lotSize, decimalsOf)
  }

  /** Price units of a log price, rounded to the tick, at least one tick. */
  unitsOf(logPrice: number): number {
    return unitsOfLog(logPrice, this.price)
  }

  /** Prepares `day`: its minute path, trade counts, and fresh trade streams from its first minute. */
  simulateDay(day: number): void {
    if (day !== this.day) this.#drawPath(day)
    const { seed, exchange, profile } = this
    this.#tradeRandom = keyedRandom(seed, exchange, profile.symbol, 'trades', day)
    this.#tapeRandom = keyedRandom(seed, exchange, profile.symbol, 'tape', day)
    this.#nextTradeMinute = 0
    this.#nextTapeMinute = 0
  }

  #drawPath(day: number): void {
    const { seed, exchange, profile, path } = this
    const random = keyedRandom(seed, exchange, profile.symbol, 'minutes', day)
    const counts = keyedRandom(seed, exchange, profile.symbol, 'counts', day)
    const hourly = path.hourlyVolatility(day)
    const base = (path.dailySigma * path.dailyVolatility(day)) / Math.sqrt(MINUTES_PER_DAY)
    const volume = this.tradesPerMinute * (weekday(day) >= 5 ? WEEKEND_VOLUME : 1)
    const levels = this.levels
    const sigma = this.#sigma
    let garch = 1
    let sum = 0
    let variance = 0
    levels[0] = path.logOpen(day)
    for (let i = 0; i < MINUTES_PER_DAY; i++) {
      const s = base * (VOLATILITY_SEASON[i] as number) * (hourly[(i / 60) | 0] as number) * Math.sqrt(garch)
      const z = studentT(random, TAIL_DOF)
      const step = s * z
      garch = 1 - GARCH_ALPHA - GARCH_BETA + GARCH_ALPHA * z * z * garch + GARCH_BETA * garch
      sigma[i] = s
      this.#absShock[i] = Math.abs(z)
      levels[i + 1] = step
      sum += step
      variance += s * s
      // Volume follows the clock and the size of the move; an exponential mix makes counts overdispersed.
      const rate = volume * (VOLUME_SEASON[i] as number) * (0.35 + (0.65 * Math.abs(z)) / MEAN_ABS_SHOCK)
      const n = Math.round(-rate * Math.log(1 - counts()))
      this.counts[i] = n < 1 ? 1 : Math.min(n, MAX_TRADES_PER_MINUTE)
    }
    // Brownian bridge: spread the gap to the next midnight over the minutes, by their variance.
    const end = path.logOpen(day + 1)
    const gap = end - levels[0] - sum
    for (let i = 0; i < MINUTES_PER_DAY; i++) {
      const step = (levels[i + 1] as number) + (gap * (sigma[i] as number) ** 2) / variance
      levels[i + 1] = (levels[i] as number) + step
    }
    levels[MINUTES_PER_DAY] = end
    for (let i = 0; i < MINUTES_PER_DAY; i++) this.closeUnits[i] = this.unitsOf(levels[i + 1] as number)
    this.day = day
  }

  /** Draws the trades of `minute` (call in order 0, 1, 2 … within a day); returns their count. */
  minuteTrades(minute: number): number {
    if (minute !== this.#nextTradeMinute++) throw new Error('minuteTrades must be called minute after minute')
    const random = this.#tradeRandom
    const n = this.counts[minute] as number
    const from = this.levels[minute] as number
    const move = (this.levels[minute + 1] as number) - from
    const step = ((this.#sigma[minute] as number) * Math.sqrt(3)) / Math.sqrt(n)
    const typical =
      this.profile.typicalQuantity *
      SIZE_SCALE *
      (0.6 + (0.4 * (this.#absShock[minute] as number)) / MEAN_ABS_SHOCK)
    const lot = this.quantity
    const maxLots = Math.max(1, Math.round(this.profile.typicalQuantity * MAX_SIZE * lot.inverse))
    const prices = this.tradePrice
    const quantities = this.tradeQuantity
    const tickInverse = this.price.inverse
    const tickUnits = this.price.multiplier
    // A walk of n uniform steps, bridged so that the last trade is exactly the minute's close.
    let walk = 0
    for (let k = 0; k < n; k++) {
      walk += step * (2 * random() - 1)
      prices[k] = walk
    }
    const drift = walk
    for (let k = 0; k < n - 1; k++) {
      const share = (k + 1) / n
      const ticks = Math.round(Math.exp(from + share * (move - drift) + (prices[k] as number)) * tickInverse)
      prices[k] = Math.max(ticks, 1) * tickUnits // as unitsOfLog, inlined for speed
    }
    prices[n - 1] = this.closeUnits[minute] as number
    const sizeTypical = typical * lot.inverse
    for (let k = 0; k < n; k++) {
      const lots = Math.round(sizeTypical * (1 - random()) ** (-1 / SIZE_TAIL))
      quantities[k] = (lots < 1 ? 1 : Math.min(lots, maxLots)) * lot.multiplier
    }
    return n
  }

  /** Draws when each trade of `minute` happened and which side was the maker (after `minuteTrades`). */
  minuteTape(minute: number): void {
    if (minute !== this.#nextTapeMinute++) throw new Error('minuteTape must be called minute after minute')
    const random = this.#tapeRandom
    const n = this.counts[minute] as number
    let previous =
      minute === 0 ? this.unitsOf(this.levels[0] as number) : (this.closeUnits[minute - 1] as number)
    for (let k = 0; k < n; k++) {
      // Stratified offsets keep the tape in time order without sorting.
      this.tradeOffset[k] = Math.floor(((k + random()) * 60_000) / n)
      const price = this.tradePrice[k] as number
      // A down-tick is more likely a seller hitting the bid: the buyer was the maker.
      const pBuyerMaker = price < previous ? 0.75 : price > previous ? 0.25 : 0.5
      this.tradeBuyerMaker[k] = random() < pBuyerMaker ? 1 : 0
      previous = price
    }
  }
}
