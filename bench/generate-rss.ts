/**
 * Peak RSS of generating 365 days of 1m candles for 10 symbols, as row objects through the public
 * lazy iterable (`objects`, default) or as COPY bytes (`copy`).
 *   npm run bench -- bench/generate-rss.ts [objects|copy]
 */

import { candleCopy } from '../src/generate/encode.js'
import { generate } from '../src/generate/index.js'
import { resolveOptions } from '../src/generate/options.js'

const options = {
  seed: 42,
  days: 365,
  intervals: ['1m'] as const,
  symbols: [
    'BTCUSDT',
    'ETHUSDT',
    'BNBUSDT',
    'SOLUSDT',
    'XRPUSDT',
    'ADAUSDT',
    'DOGEUSDT',
    'LTCUSDT',
    'DOTUSDT',
    'LINKUSDT',
  ],
}
const mode = process.argv[2] ?? 'objects'
const started = performance.now()
let rows = 0
if (mode === 'copy') for (const chunk of candleCopy(resolveOptions(options))) rows += chunk.rows
else for (const _ of generate.candlesticks(options)) rows++
const seconds = (performance.now() - started) / 1000
const peak = process.resourceUsage().maxRSS / 1024
console.log(
  `${mode}: ${rows.toLocaleString('en')} 1m candles (365 days × 10 symbols) in ${seconds.toFixed(1)} s, peak RSS ${peak.toFixed(0)} MB`,
)
