import type { Faker } from '@faker-js/faker'
import { profileFor, type SymbolProfile } from '../generate/markets.js'
import { SymbolPath } from '../generate/path.js'
import { keyedRandom, type Random } from '../generate/random.js'
import type { Exchange } from '../schema/index.js'
import { gridOfStep } from './decimal.js'
import { createSeededFaker, KeyedRandomizer, withRandomizer } from './faker.js'
import { Lane } from './lanes.js'

/** Where a series (one candle stream, one trade tape…) stands after the rows made so far. */
export interface SeriesEntry<Cursor> {
  /** Rows made in the series: the index of the next row, and the key of its random stream. */
  count: number
  cursor: Cursor
}

/**
 * The mutable half of a factory set, shared by every factory derived from it and discarded with
 * it: one per test. Each series advances its own sequence, and each row draws from a stream keyed
 * by (seed, table, series, index), so a row depends on the seed and on the calls made before it in
 * its own series only — not on other tables, other symbols, or other tests.
 */
export class FactoryState {
  readonly #series = new Map<string, SeriesEntry<unknown>>()
  readonly #paths = new Map<string, SymbolPath>()
  readonly #rowRandomizer: KeyedRandomizer
  /** The faker of the factories' own free text, re-keyed for every row. */
  readonly rowFaker: Faker
  /** The faker handed to users (`factories.faker`): one stream of its own, seeded like the rest. */
  readonly faker: Faker

  /** Where this set's keys live (`database` isolation gives each test its own; lane 0 otherwise). */
  readonly lane: Lane

  constructor(
    readonly seed: number | string,
    lane = 0,
  ) {
    this.lane = new Lane(lane)
    this.#rowRandomizer = new KeyedRandomizer(seed)
    this.rowFaker = withRandomizer(this.#rowRandomizer)
    this.faker = createSeededFaker(seed)
  }

  series<Cursor>(key: string): SeriesEntry<Cursor> | undefined {
    return this.#series.get(key) as SeriesEntry<Cursor> | undefined
  }

  /** Applies the series positions of a batch once every row of it has passed validation. */
  commit(updates: ReadonlyMap<string, SeriesEntry<unknown>>): void {
    for (const [key, entry] of updates) this.#series.set(key, entry)
  }

  /** The random stream of one row; the row faker is switched to it as well. */
  rowRandom(table: string, series: string, index: number): Random {
    const random = keyedRandom(this.seed, 'factory', table, series, index)
    this.#rowRandomizer.use(random)
    return random
  }

  /** The generators' market-wide price path of a symbol under this seed (cached). */
  path(symbol: string): SymbolPath {
    let path = this.#paths.get(symbol)
    if (!path) {
      path = new SymbolPath(this.seed, profileFor(symbol))
      this.#paths.set(symbol, path)
    }
    return path
  }

  profile(symbol: string): SymbolProfile {
    return this.path(symbol).profile
  }
}

/** Exchange and symbol of a row when not given: the default series of every market factory. */
const DEFAULT_MARKET = { exchange: 'binance', symbol: 'BTCUSDT' } as const

/** The series key of a market row: its exchange and symbol, defaults filled in. */
export function marketKey(given: { exchange?: Exchange; symbol?: string }): string {
  return `${given.exchange ?? DEFAULT_MARKET.exchange}/${given.symbol ?? DEFAULT_MARKET.symbol}`
}

/** What every market factory starts a row from: its exchange, symbol, price path and price/lot grids. */
export function marketOf(given: { exchange?: Exchange; symbol?: string }, state: FactoryState) {
  const exchange = given.exchange ?? DEFAULT_MARKET.exchange
  const symbol = given.symbol ?? DEFAULT_MARKET.symbol
  const path = state.path(symbol)
  const { profile } = path
  return {
    exchange,
    symbol,
    path,
    profile,
    tick: gridOfStep(profile.tickSize),
    lot: gridOfStep(profile.lotSize),
  }
}
