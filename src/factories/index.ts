import type { Faker } from '@faker-js/faker'
import { CandlestickFactory, candlestickSpec } from './candlestick.js'
import type { FactoryTarget } from './insert.js'
import { MarketMetricFactory, marketMetricSpec } from './market-metric.js'
import { OrderBookFactory, orderBookSpec } from './order-book.js'
import { FactoryState } from './state.js'
import { TradeFactory, tradeSpec } from './trade.js'

export type { CandlestickRow, CandlestickTransient } from './candlestick.js'
export { FactoryValidationError } from './errors.js'
export type { Factory, Overrides, Stored } from './factory.js'
export { createSeededFaker, KeyedRandomizer } from './faker.js'
export type { FactoryTarget } from './insert.js'
export { LANE_IDS, LANE_MS, LANES, laneOf } from './lanes.js'
export type { MarketMetricRow, MarketMetricTransient } from './market-metric.js'
export type { OrderBookRow, OrderBookTransient } from './order-book.js'
export type { TradeRow, TradeTransient } from './trade.js'
export { CandlestickFactory, MarketMetricFactory, OrderBookFactory, TradeFactory }

export interface FactoriesOptions {
  /** Seed of every value the factories draw; the same seed and calls give the same rows. */
  seed: number | string
  /**
   * Where the keys (timestamps, trade_id, last_update_id) of the rows live: 0 (default) starts at
   * 2026-01-01 and id 1; lane n, n × 512 weeks and n × 2³² later. Sets whose rows share a database
   * and are never rolled back (`database` isolation) use different lanes so their keys never collide.
   */
  lane?: number
}

export interface Factories {
  candlestick: CandlestickFactory
  trade: TradeFactory
  orderBook: OrderBookFactory
  marketMetric: MarketMetricFactory
  /** A Faker seeded from the same seed (reference date 2026-01-01), for a test's own values. */
  faker: Faker
  seed: number | string
}

/**
 * The four table factories over one connection. The set owns the sequences and random streams:
 * make one per test (the `factories` fixture of `dsta-db/vitest` does), and a test's rows depend on
 * the seed and that test's own calls only.
 */
export function createFactories(db: FactoryTarget, { seed, lane = 0 }: FactoriesOptions): Factories {
  const state = new FactoryState(seed, lane)
  return {
    candlestick: new CandlestickFactory(candlestickSpec, state, db),
    trade: new TradeFactory(tradeSpec, state, db),
    orderBook: new OrderBookFactory(orderBookSpec, state, db),
    marketMetric: new MarketMetricFactory(marketMetricSpec, state, db),
    faker: state.faker,
    seed,
  }
}
