import { profileFor } from '../generate/markets.js'
import { classify } from '../generate/metrics.js'
import { normal } from '../generate/random.js'
import { DAY_MS } from '../generate/time.js'
import { COLUMNS } from '../schema/columns.js'
import { compareDecimal, MarketMetric, type MetricType } from '../schema/index.js'
import { Factory } from './factory.js'
import type { TableSpec } from './spec.js'

export type MarketMetricRow = Omit<MarketMetric, 'id'>

export interface MarketMetricTransient {
  /** Pins the fear & greed index into its extreme band. */
  mood: 'fear' | 'greed' | undefined
}

interface MetricCursor {
  nextMs: number
  value: number
}

/** Starting levels at the reference date, as the generators' metrics start: BTC at its start price. */
const BTC_SUPPLY = 19_970_000
const DOMINANCE = 57
const START: Record<MetricType, number> = {
  btc_dominance: DOMINANCE,
  total_market_cap: (profileFor('BTCUSDT').startPrice * BTC_SUPPLY * 100) / DOMINANCE,
  fear_greed_index: 50,
  other: 100,
}
const SOURCES: Record<MetricType, readonly string[]> = {
  btc_dominance: ['coingecko', 'coinmarketcap', 'tradingview'],
  total_market_cap: ['coingecko', 'coinmarketcap', 'messari'],
  fear_greed_index: ['alternative.me', 'cfgi.io'],
  other: ['glassnode', 'santiment', 'cryptoquant'],
}

/** Next value of a metric: a daily walk from the last one, kept in the metric's range. */
function nextValue(
  type: MetricType,
  last: number | undefined,
  mood: MarketMetricTransient['mood'],
  draw: number,
): number {
  if (type === 'fear_greed_index') {
    if (mood)
      return mood === 'fear'
        ? Math.round(5 + 15 * Math.abs(Math.tanh(draw)))
        : Math.round(95 - 15 * Math.abs(Math.tanh(draw)))
    return Math.min(100, Math.max(0, Math.round((last ?? START.fear_greed_index) + 6 * draw)))
  }
  if (type === 'btc_dominance') return Math.min(80, Math.max(30, (last ?? DOMINANCE) + 0.3 * draw))
  return (last ?? START[type]) * Math.exp(0.03 * draw)
}

/**
 * Daily metrics: each metric_type is a series of consecutive UTC midnights from the reference date,
 * its value a walk in its own range (dominance in %, fear & greed a whole number 0–100, market cap
 * in USD). Metadata is free text from the seeded faker: a source, a request id, and for fear &
 * greed the index's classification.
 */
export const marketMetricSpec: TableSpec<MarketMetricRow, MarketMetricTransient, MetricCursor> = {
  name: 'marketMetric',
  table: 'market_metrics',
  schema: MarketMetric,
  columns: COLUMNS.market_metrics,
  sequenceFields: ['timestamp'],
  transient: { mood: undefined },
  involves: { value: ['metric_type'] },

  seriesKey: (given) => given.metric_type ?? 'btc_dominance',

  make({ given, transient, random, faker, state }, cursor) {
    const metric_type = given.metric_type ?? 'btc_dominance'
    const timestamp = given.timestamp ?? new Date(cursor?.nextMs ?? state.lane.startMs)
    const drawn = nextValue(metric_type, cursor?.value, transient.mood, normal(random))
    const value =
      given.value ??
      (metric_type === 'fear_greed_index'
        ? String(drawn)
        : drawn.toFixed(metric_type === 'btc_dominance' ? 4 : 2))
    const metadata = given.metadata ?? {
      source: faker.helpers.arrayElement(SOURCES[metric_type]),
      request_id: faker.string.uuid(),
      ...(metric_type === 'fear_greed_index' ? { classification: classify(Number(value)) } : {}),
      ...(metric_type === 'other' ? { name: faker.word.noun(), description: faker.lorem.sentence() } : {}),
    }
    const row: MarketMetricRow = { metric_type, timestamp, value, metadata }
    const nextMs = Math.max(cursor?.nextMs ?? 0, timestamp.getTime() + DAY_MS)
    return { row, cursor: { nextMs, value: Number(value) } }
  },

  check(row, { transient }) {
    const { metric_type: type, value } = row
    if (type === 'fear_greed_index' && !(/^\d+(\.0*)?$/.test(value) && compareDecimal(value, '100') <= 0))
      return {
        field: 'value',
        rule: `value ${value} must be a whole number from 0 to 100 for fear_greed_index`,
      }
    if (type === 'btc_dominance' && (compareDecimal(value, '0') < 0 || compareDecimal(value, '100') > 0))
      return { field: 'value', rule: `value ${value} must be a percentage from 0 to 100 for btc_dominance` }
    if (type === 'total_market_cap' && compareDecimal(value, '0') <= 0)
      return { field: 'value', rule: `value ${value} must be > 0 for total_market_cap` }
    if (transient.mood && type !== 'fear_greed_index')
      return {
        field: 'metric_type',
        rule: `metric_type "${type}" has no mood; extremeFear() and extremeGreed() apply to fear_greed_index`,
      }
    return undefined
  },
}

/** Market-metric factory; traits pick the metric type or the market's mood. */
export class MarketMetricFactory extends Factory<MarketMetricRow, MarketMetricTransient> {
  btcDominance(): this {
    return this.params({ metric_type: 'btc_dominance' })
  }

  totalMarketCap(): this {
    return this.params({ metric_type: 'total_market_cap' })
  }

  fearGreedIndex(): this {
    return this.params({ metric_type: 'fear_greed_index' })
  }

  /** A fear & greed index between 5 and 20. */
  extremeFear(): this {
    return this.params({ metric_type: 'fear_greed_index' }).transient({ mood: 'fear' })
  }

  /** A fear & greed index between 80 and 95. */
  extremeGreed(): this {
    return this.params({ metric_type: 'fear_greed_index' }).transient({ mood: 'greed' })
  }
}
