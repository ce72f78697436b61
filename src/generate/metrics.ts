import type { MarketMetric } from '../schema/index.js'
import { decimalsOf, profileFor } from './markets.js'
import { ANCHOR_DAY, SymbolPath } from './path.js'
import { keyedRandom, normal } from './random.js'
import { DAY_MS, type Window } from './time.js'
import { formatUnits, gridOf, unitsOfLog } from './units.js'

const SUPPLY_AT_ANCHOR = 19_970_000 // BTC in circulation at the anchor date
const SUPPLY_PER_DAY = 450
const DOMINANCE_AT_ANCHOR = 0.57
const ALT_BETA = 1.15 // altcoins move more than BTC, so dominance rises when BTC falls
const ALT_PHI = 0.98
const ALT_LOOKBACK = 200
const ALT_SPREAD = 0.15 // stationary sd of the altcoins' own log deviation

/**
 * Daily market metrics at 00:00 UTC of each day in the window, derived from BTC's generated path:
 * BTC's market cap is its price at that midnight (the close of the 23:59 1m candle) × supply; the
 * rest of the market follows BTC with a beta plus its own mean-reverting drift, so dominance is a
 * true share (0–100 %). The fear & greed index follows BTC's 7-day return. Exchange-independent.
 */
export function* metricsOfWindow(seed: number | string, window: Window): Generator<MarketMetric> {
  const btc = new SymbolPath(seed, profileFor('BTCUSDT'))
  const grid = gridOf(btc.profile.tickSize, decimalsOf)
  const altShock = new Map<number, number>()
  const shock = (day: number) => {
    let value = altShock.get(day)
    if (value === undefined) {
      if (altShock.size > 4096) altShock.clear()
      value = normal(keyedRandom(seed, 'altcoins', day))
      altShock.set(day, value)
    }
    return value
  }
  const anchorLog = btc.logOpen(ANCHOR_DAY)
  const anchorCap = btc.profile.startPrice * SUPPLY_AT_ANCHOR
  const altAtAnchor = (anchorCap * (1 - DOMINANCE_AT_ANCHOR)) / DOMINANCE_AT_ANCHOR
  for (let day = Math.ceil(window.startMs / DAY_MS); day * DAY_MS < window.endMs; day++) {
    const timestamp = new Date(day * DAY_MS)
    const log = btc.logOpen(day)
    const priceUnits = unitsOfLog(log, grid)
    const supply = SUPPLY_AT_ANCHOR + SUPPLY_PER_DAY * (day - ANCHOR_DAY)
    const btcCents = Math.round(priceUnits * supply * 10 ** (2 - grid.decimals)) // exact for a cent tick
    let drift = 0
    let weight = 1
    for (let k = 0; k <= ALT_LOOKBACK; k++, weight *= ALT_PHI) drift += weight * shock(day - k)
    const altLog = ALT_BETA * (log - anchorLog) + ALT_SPREAD * Math.sqrt(1 - ALT_PHI ** 2) * drift
    const altCents = Math.round(altAtAnchor * Math.exp(altLog) * 100)
    const totalCents = btcCents + altCents
    const dominance = (100 * btcCents) / totalCents
    const btcPrice = formatUnits(priceUnits, grid.decimals)
    const common = { source: 'dsta-db', seed, btc_price: btcPrice }
    yield {
      metric_type: 'btc_dominance',
      timestamp,
      value: dominance.toFixed(4),
      metadata: {
        ...common,
        btc_market_cap: formatUnits(btcCents, 2),
        total_market_cap: formatUnits(totalCents, 2),
      },
    }
    yield {
      metric_type: 'total_market_cap',
      timestamp,
      value: formatUnits(totalCents, 2),
      metadata: { ...common, btc_market_cap: formatUnits(btcCents, 2), currency: 'USD' },
    }
    const weekReturn = log - btc.logOpen(day - 7)
    const calm = btc.dailySigma * Math.sqrt(7)
    const mood =
      50 + 42 * Math.tanh((0.9 * weekReturn) / calm) + 6 * normal(keyedRandom(seed, 'fear-greed', day))
    const index = Math.min(100, Math.max(0, Math.round(mood)))
    yield {
      metric_type: 'fear_greed_index',
      timestamp,
      value: String(index),
      metadata: { ...common, classification: classify(index), btc_return_7d: weekReturn.toFixed(6) },
    }
  }
}

/** Classification of alternative.me's Fear & Greed index, as its API reports it. */
export function classify(index: number): string {
  if (index < 25) return 'Extreme Fear'
  if (index < 45) return 'Fear'
  if (index <= 55) return 'Neutral'
  if (index <= 75) return 'Greed'
  return 'Extreme Greed'
}
