/**
 * Realism figures of the generated market, computed with plain statistics on the rows (no model
 * internals): fat tails, volatility clustering, volume–volatility coupling, intraday seasonality.
 *   npm run bench -- bench/realism.ts
 */
import { generate } from '../src/generate/index.js'

export interface Realism {
  minutes: number
  /** Kurtosis of 1m log returns (3 for a normal distribution). */
  kurtosis: number
  /** Autocorrelation of |1m returns| at lags 1…10. */
  absReturnAcf: number[]
  /** Correlation of 1m volume with |1m return|. */
  volumeAbsReturnCorrelation: number
  /** Mean 1m volume per UTC hour, divided by the overall mean. */
  hourlyVolumeProfile: number[]
}

const mean = (xs: ArrayLike<number>) => {
  let s = 0
  for (let i = 0; i < xs.length; i++) s += xs[i] as number
  return s / xs.length
}

export function kurtosis(xs: number[]): number {
  const m = mean(xs)
  let m2 = 0
  let m4 = 0
  for (const x of xs) {
    const d = (x - m) ** 2
    m2 += d
    m4 += d * d
  }
  return m4 / xs.length / (m2 / xs.length) ** 2
}

export function correlation(xs: number[], ys: number[]): number {
  const mx = mean(xs)
  const my = mean(ys)
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < xs.length; i++) {
    const dx = (xs[i] as number) - mx
    const dy = (ys[i] as number) - my
    sxy += dx * dy
    sxx += dx * dx
    syy += dy * dy
  }
  return sxy / Math.sqrt(sxx * syy)
}

export function autocorrelation(xs: number[], lag: number): number {
  return correlation(xs.slice(0, -lag), xs.slice(lag))
}

/** The figures for one symbol's 1m candles over `days` days. */
export function realism(options: { seed?: number; symbol?: string; days?: number } = {}): Realism {
  const closes: number[] = []
  const volumes: number[] = []
  const hours: number[] = []
  for (const c of generate.candlesticks({
    ...options,
    symbols: [options.symbol ?? 'BTCUSDT'],
    intervals: ['1m'],
  })) {
    closes.push(Number(c.close_price))
    volumes.push(Number(c.volume))
    hours.push(c.timestamp.getUTCHours())
  }
  const returns = closes.slice(1).map((close, i) => Math.log(close / (closes[i] as number)))
  const absReturns = returns.map(Math.abs)
  const byHour = Array.from({ length: 24 }, () => [] as number[])
  for (let i = 0; i < volumes.length; i++) byHour[hours[i] as number]?.push(volumes[i] as number)
  const overall = mean(volumes)
  return {
    minutes: closes.length,
    kurtosis: kurtosis(returns),
    absReturnAcf: Array.from({ length: 10 }, (_, k) => autocorrelation(absReturns, k + 1)),
    volumeAbsReturnCorrelation: correlation(volumes.slice(1), absReturns),
    hourlyVolumeProfile: byHour.map((vs) => mean(vs) / overall),
  }
}

if (import.meta.main) {
  for (const symbol of ['BTCUSDT', 'ETHUSDT', 'DOGEUSDT']) {
    const r = realism({ seed: 42, symbol, days: 30 })
    const profile = r.hourlyVolumeProfile
    console.log(`${symbol}, seed 42, 30 days (${r.minutes} 1m candles)`)
    console.log(`  kurtosis of 1m log returns        ${r.kurtosis.toFixed(2)}   (normal: 3)`)
    console.log(`  ACF of |r|, lags 1..10            ${r.absReturnAcf.map((a) => a.toFixed(3)).join(' ')}`)
    console.log(`  corr(volume, |r|)                 ${r.volumeAbsReturnCorrelation.toFixed(3)}`)
    console.log(
      `  hourly volume / mean, min..max    ${Math.min(...profile).toFixed(2)} .. ${Math.max(...profile).toFixed(2)}` +
        ` (busiest ${profile.indexOf(Math.max(...profile))}:00 UTC, quietest ${profile.indexOf(Math.min(...profile))}:00 UTC)`,
    )
  }
}
