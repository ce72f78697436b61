import { MINUTES_PER_DAY } from './time.js'

/**
 * Intraday seasonality of a crypto market, by UTC minute of day: busiest around the US open
 * (13:30–16:00), a smaller Europe bump near 08:00, quietest in the late Asian night (~03:00–05:00).
 */
function profile(hour: number, weight: number): number {
  const bump = (centre: number, width: number) => Math.exp(-((hour - centre) ** 2) / (2 * width ** 2))
  return 1 + weight * (0.9 * bump(14.75, 2.2) + 0.45 * bump(8.5, 1.5) - 0.35 * bump(4, 2))
}

function normalised(values: number[], byRms: boolean): Float64Array {
  const mean = byRms
    ? Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length)
    : values.reduce((s, v) => s + v, 0) / values.length
  return Float64Array.from(values, (v) => v / mean)
}

const hours = Array.from({ length: MINUTES_PER_DAY }, (_, i) => i / 60)

/** Volume multiplier per minute of day, mean 1. */
export const VOLUME_SEASON = normalised(
  hours.map((h) => profile(h, 1)),
  false,
)
/** Volatility multiplier per minute of day, root-mean-square 1 (variance over a day is preserved). */
export const VOLATILITY_SEASON = normalised(
  hours.map((h) => profile(h, 0.6)),
  true,
)
/** Weekend days trade less. */
export const WEEKEND_VOLUME = 0.7
