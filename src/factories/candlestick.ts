import { normal } from '../generate/random.js'
import { priceStep } from '../generate/step.js'
import { DAY_MS } from '../generate/time.js'
import { formatUnits, unitsOfLog } from '../generate/units.js'
import { COLUMNS } from '../schema/columns.js'
import { bucketStart, Candlestick, compareDecimal, INTERVAL_MS, type Interval } from '../schema/index.js'
import { formatSteps, maxDecimal, minDecimal, multiplyDecimal, stepsOf } from './decimal.js'
import { showValue } from './errors.js'
import { Factory } from './factory.js'
import type { TableSpec } from './spec.js'
import { marketKey, marketOf } from './state.js'

export type CandlestickRow = Omit<Candlestick, 'id'>

export interface CandlestickTransient {
  /** Forces the body: `up` closes above the open, `down` below, `doji` at the open. */
  direction: 'up' | 'down' | 'doji' | undefined
  /** Multiplier of the symbol's volatility for the interval (1 = the generators' model). */
  volatility: number
}

interface CandleCursor {
  nextMs: number
  close: string
}

/** Trades per minute a default candle is sized on, like the generators' default market. */
const TRADES_PER_MINUTE = 20

const DIRECTION_RULE = {
  up: ['>', 'a bullish'],
  down: ['<', 'a bearish'],
  doji: ['=', 'a doji'],
} as const

/**
 * Candles walk the generators' price model: the first candle of a series opens at the symbol's
 * path price of its day, every next one opens at the previous close, and a body's log return is a
 * Student-t shock scaled by the path's volatility of that day over the interval. Wicks and volume
 * are drawn around the body; quote volume = volume × a typical price inside the range, exactly.
 */
export const candlestickSpec: TableSpec<CandlestickRow, CandlestickTransient, CandleCursor> = {
  name: 'candlestick',
  table: 'candlesticks',
  schema: Candlestick,
  columns: COLUMNS.candlesticks,
  sequenceFields: ['timestamp'],
  transient: { direction: undefined, volatility: 1 },
  involves: {
    high_price: ['open_price', 'close_price', 'low_price'],
    low_price: ['open_price', 'close_price', 'high_price'],
    close_price: ['open_price'],
  },

  seriesKey: (given) => `${marketKey(given)}/${given.interval ?? '1h'}`,

  make({ given, transient, random, state }, cursor) {
    const { exchange, symbol, path, profile, tick, lot } = marketOf(given, state)
    const interval: Interval = given.interval ?? '1h'
    const intervalMs = INTERVAL_MS[interval]
    const timestamp = given.timestamp ?? new Date(cursor?.nextMs ?? bucketStart(state.lane.startMs, interval))
    const day = state.lane.day(timestamp.getTime())
    const sigma =
      path.dailySigma * path.dailyVolatility(day) * Math.sqrt(intervalMs / DAY_MS) * transient.volatility

    // A given low or high wins over continuity: the derived open gaps into the given range.
    const intoRange = (price: string) =>
      given.low_price && compareDecimal(price, given.low_price) < 0
        ? given.low_price
        : given.high_price && compareDecimal(price, given.high_price) > 0
          ? given.high_price
          : price
    const open =
      given.open_price ??
      intoRange(cursor?.close ?? formatUnits(unitsOfLog(path.logOpen(day), tick), tick.decimals))
    const openSteps = Math.max(1, stepsOf(open, tick, 'round'))
    // The generators' price step over the interval, scaled by the path's volatility of the day.
    const shock =
      Math.log(priceStep(random, 1, profile, intervalMs)) * path.dailyVolatility(day) * transient.volatility
    const moved = Math.round(openSteps * Math.exp(transient.direction ? Math.abs(shock) : shock))
    const closeSteps =
      transient.direction === 'up'
        ? Math.max(openSteps + 1, moved)
        : transient.direction === 'down'
          ? Math.max(1, Math.min(openSteps - 1, Math.round(openSteps * Math.exp(-Math.abs(shock)))))
          : Math.max(1, moved)
    const close =
      given.close_price ?? (transient.direction === 'doji' ? open : intoRange(formatSteps(closeSteps, tick)))

    // Wicks reach past the body (and past an overridden opposite extreme) by a half-sigma draw.
    const wick = transient.direction === 'doji' ? 1 : 0
    const top = maxDecimal(open, close, ...(given.low_price ? [given.low_price] : []))
    const topSteps = stepsOf(top, tick, 'ceil')
    const up = Math.round(topSteps * Math.exp(Math.abs(normal(random)) * sigma * 0.5))
    const high = given.high_price ?? maxDecimal(top, formatSteps(Math.max(topSteps + wick, up), tick))
    const bottom = minDecimal(open, close, ...(given.high_price ? [given.high_price] : []))
    const bottomSteps = stepsOf(bottom, tick, 'floor')
    const down = Math.round(bottomSteps * Math.exp(-Math.abs(normal(random)) * sigma * 0.5))
    const low =
      given.low_price ??
      minDecimal(bottom, formatSteps(Math.max(1, Math.min(bottomSteps - wick, down)), tick))

    const quiet = given.volume !== undefined && compareDecimal(given.volume, '0') === 0
    const trades_count =
      given.trades_count ??
      (quiet ? 0 : Math.max(1, Math.round((intervalMs / 60_000) * TRADES_PER_MINUTE * (0.5 + random()))))
    const volumeLots = Math.round(
      trades_count * profile.typicalQuantity * (0.6 + 0.8 * random()) * lot.inverse,
    )
    const volume = given.volume ?? formatSteps(trades_count === 0 ? 0 : Math.max(1, volumeLots), lot)
    const typical = formatSteps(
      Math.round(
        (stepsOf(high, tick, 'round') + stepsOf(low, tick, 'round') + stepsOf(close, tick, 'round')) / 3,
      ),
      tick,
    )
    const quote_volume =
      given.quote_volume ?? multiplyDecimal(volume, maxDecimal(low, minDecimal(high, typical)))

    const row: CandlestickRow = {
      exchange,
      symbol,
      interval,
      timestamp,
      open_price: open,
      high_price: high,
      low_price: low,
      close_price: close,
      volume,
      quote_volume,
      trades_count,
    }
    return { row, cursor: { nextMs: timestamp.getTime() + intervalMs, close } }
  },

  check(row, { transient }) {
    const ms = row.timestamp.getTime()
    const start = bucketStart(ms, row.interval)
    if (start !== ms) {
      const rule = `timestamp ${showValue(row.timestamp)} is not on the ${row.interval} grid (that candle opens at ${new Date(start).toISOString()})`
      return { field: 'timestamp', rule }
    }
    const direction = transient.direction
    if (direction) {
      const [sign, kind] = DIRECTION_RULE[direction]
      const order = compareDecimal(row.close_price, row.open_price)
      if (order !== { '>': 1, '<': -1, '=': 0 }[sign]) {
        const rule = `close_price ${row.close_price} must be ${sign} open_price ${row.open_price} for ${kind} candle`
        return { field: 'close_price', rule }
      }
    }
    return undefined
  },
}

/** Candlestick factory; traits force the body's direction. */
export class CandlestickFactory extends Factory<CandlestickRow, CandlestickTransient> {
  /** Closes above its open. */
  bullish(): this {
    return this.transient({ direction: 'up' })
  }

  /** Closes below its open. */
  bearish(): this {
    return this.transient({ direction: 'down' })
  }

  /** Closes exactly at its open, with wicks on both sides. */
  doji(): this {
    return this.transient({ direction: 'doji' })
  }

  /** Four times the symbol's usual volatility: long bodies and wicks. */
  volatile(): this {
    return this.transient({ volatility: 4 })
  }
}
