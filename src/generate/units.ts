/**
 * Exact decimals as integers: a price is a count of 10^-decimals units, a sum may outgrow 2^53 and
 * then continues as a bigint. Formatting never goes through a float, so every digit is exact.
 */
export type Units = number | bigint

const POW10 = Array.from({ length: 9 }, (_, i) => 10 ** i)
/** FRACTION[d][n]: n written with exactly d digits (d ≤ 4). */
const FRACTION = Array.from({ length: 5 }, (_, d) =>
  Array.from({ length: 10 ** d }, (_, n) => String(n).padStart(d, '0')),
)

/** `a + b` exactly, switching to bigint only when the sum leaves the safe-integer range. */
export function addUnits(a: Units, b: Units): Units {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b
    if (sum <= Number.MAX_SAFE_INTEGER) return sum
  }
  return BigInt(a) + BigInt(b)
}

/** The decimal text of `units` × 10^-decimals with exactly `decimals` digits after the point. */
export function formatUnits(units: Units, decimals: number): string {
  // Hot path: a safe integer split in whole and fraction, the fraction's digits from tables.
  if (typeof units === 'number' && decimals <= 8 && units >= 0) {
    if (decimals === 0) return String(units)
    const scale = POW10[decimals] as number
    const whole = Math.floor(units / scale)
    const fraction = units - whole * scale
    if (decimals <= 4) return `${whole}.${(FRACTION[decimals] as string[])[fraction]}`
    const high = Math.floor(fraction / 10_000)
    const low = fraction - high * 10_000
    return `${whole}.${(FRACTION[decimals - 4] as string[])[high]}${(FRACTION[4] as string[])[low]}`
  }
  const digits = String(units)
  if (decimals === 0) return digits
  if (digits.length > decimals) return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`
  return `0.${digits.padStart(decimals, '0')}`
}

/** How a profile's step (tick or lot) maps to integer units: `step = multiplier × 10^-decimals`. */
export interface Grid {
  decimals: number
  /** Units per step (1 for 0.01, 5 for 0.05). */
  multiplier: number
  /** 1 / step, to turn a float into a count of steps. */
  inverse: number
}

export function gridOf(step: number, decimalsOf: (step: number) => number): Grid {
  const decimals = decimalsOf(step)
  const multiplier = Math.round(step * 10 ** decimals)
  if (multiplier < 1 || Math.abs(multiplier - step * 10 ** decimals) > 1e-6)
    throw new Error(`step ${step} is not a whole number of 10^-${decimals} units`)
  return { decimals, multiplier, inverse: 1 / step }
}

/** Price units of a log price on `grid`, rounded to the step and never below one step. */
export function unitsOfLog(logPrice: number, grid: Grid): number {
  return Math.max(1, Math.round(Math.exp(logPrice) * grid.inverse)) * grid.multiplier
}
