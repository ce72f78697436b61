import { decimalsOf, type SymbolProfile } from './markets.js'
import { TAIL_DOF } from './path.js'
import { type Random, studentT } from './random.js'
import { formatUnits, gridOf } from './units.js'

const YEAR_MS = 365 * 86_400_000

/**
 * One step of the price model, for code that draws prices one at a time (the factories): the
 * price `intervalMs` later, a Student-t log return scaled to the symbol's annual volatility.
 */
export function priceStep(
  random: Random,
  price: number,
  profile: SymbolProfile,
  intervalMs = 60_000,
): number {
  const sigma = profile.annualVolatility * Math.sqrt(intervalMs / YEAR_MS)
  return price * Math.exp(sigma * studentT(random, TAIL_DOF))
}

/** `price` rounded to the symbol's tick (at least one tick), as an exact decimal string. */
export function formatPrice(price: number, profile: SymbolProfile): string {
  return roundToGrid(price, profile.tickSize)
}

/** `quantity` rounded to the symbol's lot (at least one lot), as an exact decimal string. */
export function formatQuantity(quantity: number, profile: SymbolProfile): string {
  return roundToGrid(quantity, profile.lotSize)
}

function roundToGrid(value: number, step: number): string {
  const grid = gridOf(step, decimalsOf)
  const units = Math.max(1, Math.round(value * grid.inverse)) * grid.multiplier
  return formatUnits(units, grid.decimals)
}
