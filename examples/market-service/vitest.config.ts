import { dstaDb } from 'dsta-db/vitest'
import { defineConfig } from 'vitest/config'

// A week of generated BTCUSDT and ETHUSDT market data, baked into the template once: every test
// starts with it, at no per-test cost. Precise cases add their own rows with factories.
export default defineConfig({
  plugins: [dstaDb({ seed: 42, testData: { days: 7, symbols: ['BTCUSDT', 'ETHUSDT'], seed: 42 } })],
})
