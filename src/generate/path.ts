import type { SymbolProfile } from './markets.js'
import { keyedRandom, normal, studentT } from './random.js'
import { DAY_MS, DEFAULT_END } from './time.js'

/** The anchor day: on it every symbol opens at its profile's start price. */
export const ANCHOR_DAY = Math.floor(DEFAULT_END.getTime() / DAY_MS)

const DAILY_PHI = 0.9
const DAILY_LOOKBACK = 40 // 0.9^40 ≈ 1.5 %: older shocks no longer matter
const DAILY_VOL_OF_VOL = 0.35
const HOURLY_PHI = 0.7
const HOURLY_LOOKBACK = 23
const HOURLY_VOL_OF_VOL = 0.3
/** Degrees of freedom of the Student-t shocks: fat tails, finite variance. */
export const TAIL_DOF = 4

/** Bounded caches: a path is queried near one window at a time. */
class Memo<V> {
  readonly #map = new Map<number, V>()
  constructor(private readonly compute: (key: number) => V) {}
  get(key: number): V {
    let value = this.#map.get(key)
    if (value === undefined) {
      if (this.#map.size > 4096) this.#map.clear()
      value = this.compute(key)
      this.#map.set(key, value)
    }
    return value
  }
}

/**
 * The market-wide state of one symbol, the same on every exchange: the log price at each UTC
 * midnight and the slow volatility components. Every quantity is a pure function of (seed, symbol,
 * day) — shocks are keyed draws and volatility is an AR process over a bounded look-back of them —
 * so any window sees the same values. Midnight prices walk from the anchor day, forwards or back.
 */
export class SymbolPath {
  readonly #dailyShock: Memo<number>
  readonly #hourShocks: Memo<Float64Array>
  readonly #dailyReturn: Memo<number>
  /** Canonical partial sums: `#ahead[n]` = log price n days after the anchor, `#behind[n]` n days before. */
  readonly #ahead: number[]
  readonly #behind: number[]
  readonly dailySigma: number

  constructor(
    readonly seed: number | string,
    readonly profile: SymbolProfile,
  ) {
    const symbol = profile.symbol
    this.#ahead = [Math.log(profile.startPrice)]
    this.#behind = [Math.log(profile.startPrice)]
    this.dailySigma = profile.annualVolatility / Math.sqrt(365)
    this.#dailyShock = new Memo((day) => normal(keyedRandom(seed, symbol, 'daily-vol', day)))
    this.#hourShocks = new Memo((day) => {
      const random = keyedRandom(seed, symbol, 'hourly-vol', day)
      return Float64Array.from({ length: 24 }, () => normal(random))
    })
    this.#dailyReturn = new Memo((day) => {
      const sigma = this.dailySigma * this.dailyVolatility(day)
      return sigma * studentT(keyedRandom(seed, symbol, 'daily-return', day), TAIL_DOF)
    })
  }

  /** Multiplier of the day's volatility, exp of an AR(1) log-volatility with mean-square 1. */
  dailyVolatility(day: number): number {
    let h = 0
    let weight = 1
    for (let k = 0; k <= DAILY_LOOKBACK; k++, weight *= DAILY_PHI) h += weight * this.#dailyShock.get(day - k)
    const scale = DAILY_VOL_OF_VOL * Math.sqrt(1 - DAILY_PHI ** 2)
    return Math.exp(scale * h - DAILY_VOL_OF_VOL ** 2)
  }

  /** Multipliers of the 24 hours of `day` (hour-level volatility clustering, mean-square 1). */
  hourlyVolatility(day: number): Float64Array {
    const previous = this.#hourShocks.get(day - 1)
    const current = this.#hourShocks.get(day)
    const scale = HOURLY_VOL_OF_VOL * Math.sqrt(1 - HOURLY_PHI ** 2)
    const out = new Float64Array(24)
    for (let hour = 0; hour < 24; hour++) {
      let h = 0
      let weight = 1
      for (let k = 0; k <= HOURLY_LOOKBACK; k++, weight *= HOURLY_PHI) {
        const at = hour - k
        h += weight * ((at >= 0 ? current[at] : previous[at + 24]) ?? 0)
      }
      out[hour] = Math.exp(scale * h - HOURLY_VOL_OF_VOL ** 2)
    }
    return out
  }

  /** Log return from midnight of `day` to midnight of `day + 1`. */
  dailyReturn(day: number): number {
    return this.#dailyReturn.get(day)
  }

  /**
   * Log price at 00:00 UTC of `day`, walking from the anchor forwards or backwards. The sums are
   * always taken in the same order from the anchor, so the float is the same whatever was asked before.
   */
  logOpen(day: number): number {
    const ahead = this.#ahead
    const behind = this.#behind
    if (day >= ANCHOR_DAY) {
      while (ahead.length <= day - ANCHOR_DAY) {
        const from = ANCHOR_DAY + ahead.length - 1
        ahead.push((ahead[ahead.length - 1] as number) + this.dailyReturn(from))
      }
      return ahead[day - ANCHOR_DAY] as number
    }
    while (behind.length <= ANCHOR_DAY - day) {
      const from = ANCHOR_DAY - behind.length
      behind.push((behind[behind.length - 1] as number) - this.dailyReturn(from))
    }
    return behind[ANCHOR_DAY - day] as number
  }
}
