import { decimalsOf } from '../generate/markets.js'
import { formatUnits, type Grid, gridOf } from '../generate/units.js'
import { compareDecimal } from '../schema/index.js'

/**
 * Exact decimal arithmetic for the few places factories need it (quote = price × quantity, wicks
 * around an overridden price). Values are decimal strings; products go through BigInt, never floats.
 */

/** Digits after the point in a decimal string. */
export function scaleOf(value: string): number {
  const point = value.indexOf('.')
  return point < 0 ? 0 : value.length - point - 1
}

/** Digits before the point, leading zeros and sign excluded. */
export function integerDigitsOf(value: string): number {
  const whole = value.replace(/^-/, '').split('.')[0] ?? ''
  return whole.replace(/^0+/, '').length
}

function toScaled(value: string): { units: bigint; scale: number } {
  const scale = scaleOf(value)
  return { units: BigInt(value.replace('.', '')), scale }
}

function fromScaled(units: bigint, scale: number): string {
  const negative = units < 0n
  const text = formatUnits(negative ? -units : units, scale)
  return negative ? `-${text}` : text
}

/** `a × b` exactly, then rounded half away from zero to at most `maxScale` decimals (a column's scale). */
export function multiplyDecimal(a: string, b: string, maxScale = 10): string {
  const x = toScaled(a)
  const y = toScaled(b)
  let units = x.units * y.units
  let scale = x.scale + y.scale
  if (scale > maxScale) {
    const divisor = 10n ** BigInt(scale - maxScale)
    const half = divisor / 2n
    units = units >= 0n ? (units + half) / divisor : (units - half) / divisor
    scale = maxScale
  }
  return fromScaled(units, scale)
}

export function maxDecimal(first: string, ...rest: string[]): string {
  return rest.reduce((max, value) => (compareDecimal(value, max) > 0 ? value : max), first)
}

export function minDecimal(first: string, ...rest: string[]): string {
  return rest.reduce((min, value) => (compareDecimal(value, min) < 0 ? value : min), first)
}

/** The grid of a profile's step (0.01 → two decimals, one unit per step). */
export function gridOfStep(step: number): Grid {
  return gridOf(step, decimalsOf)
}

/** Whole steps of `grid` in a decimal string, rounded as asked (exact for values on the grid). */
export function stepsOf(value: string, grid: Grid, rounding: 'floor' | 'ceil' | 'round'): number {
  const steps = Number(value) * grid.inverse
  const nearest = Math.round(steps)
  // A value on the grid may come out as 4325011.999999 through the float: snap before rounding.
  if (Math.abs(steps - nearest) < 1e-6) return nearest
  return Math[rounding](steps)
}

/** The decimal text of `steps` whole steps of `grid`, e.g. 4325012 steps of 0.01 → "43250.12". */
export function formatSteps(steps: number, grid: Grid): string {
  return formatUnits(steps * grid.multiplier, grid.decimals)
}
