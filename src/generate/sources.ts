import { CandleBuilder } from './candles.js'
import { MarketSim } from './market.js'
import { profileFor } from './markets.js'
import type { ResolvedOptions } from './options.js'
import { SymbolPath } from './path.js'
import { dayRange } from './time.js'

/** The simulators of one generation run, one per symbol, and the days to walk. */
export interface Markets {
  sims: MarketSim[]
  days: number[]
}

export function createMarkets(options: ResolvedOptions): Markets {
  const sims = options.symbols.map((symbol) => {
    const profile = profileFor(symbol)
    const path = new SymbolPath(options.seed, profile)
    return new MarketSim(options.seed, options.exchange, profile, path, options.tradesPerMinute)
  })
  const { first, last } = dayRange(options.window)
  const days = Array.from({ length: last - first + 1 }, (_, i) => first + i)
  return { sims, days }
}

export function candleBuilders(options: ResolvedOptions, markets: Markets): CandleBuilder[] {
  return markets.sims.map((sim) => new CandleBuilder(sim, options.window, options.intervals))
}
