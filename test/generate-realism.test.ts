import { describe, expect, test } from 'vitest'
import { realism } from '../bench/realism.js'

describe('the generated market looks like a market', () => {
  test.each([1, 2024, 987_654])(
    'seed %i: fat tails, volatility clustering, volume–volatility coupling, intraday profile',
    (seed) => {
      const r = realism({ seed, symbol: 'BTCUSDT', days: 7 })
      expect(r.minutes).toBe(7 * 1440)
      expect(r.kurtosis).toBeGreaterThan(3)
      for (const acf of r.absReturnAcf) expect(acf).toBeGreaterThan(0.05)
      expect(r.volumeAbsReturnCorrelation).toBeGreaterThan(0.1)
      const profile = r.hourlyVolumeProfile
      expect(Math.max(...profile) / Math.min(...profile)).toBeGreaterThan(1.5)
      // Busiest around the US open, quietest in the Asian night.
      expect(profile.indexOf(Math.max(...profile))).toBeGreaterThanOrEqual(11)
      expect(profile.indexOf(Math.max(...profile))).toBeLessThanOrEqual(17)
      expect(profile.indexOf(Math.min(...profile))).toBeLessThanOrEqual(7)
    },
  )
})
