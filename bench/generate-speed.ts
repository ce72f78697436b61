/**
 * Rows per second generated in memory, COPY encoding included (the bytes `generateTestData` sends).
 *   npm run bench -- bench/generate-speed.ts
 */

import { bookCopy, type CopyChunk, candleCopy, tradeCopy } from '../src/generate/encode.js'
import { generate } from '../src/generate/index.js'
import { type GenerateOptions, resolveOptions } from '../src/generate/options.js'

/** Best of three runs (the machine is shared; the best run is the one least disturbed). */
function measure(label: string, run: () => Iterable<CopyChunk | object>, unit = 'rows'): void {
  for (const _ of run()) break // warm-up of the first day
  let best = Number.POSITIVE_INFINITY
  let rows = 0
  let bytes = 0
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = performance.now()
    rows = 0
    bytes = 0
    for (const item of run()) {
      if ('rows' in item && 'data' in item) {
        rows += (item as CopyChunk).rows
        bytes += (item as CopyChunk).data.length
      } else rows++
    }
    best = Math.min(best, (performance.now() - started) / 1000)
  }
  const mb = bytes ? `, ${(bytes / best / 1e6).toFixed(0)} MB/s of binary COPY bytes` : ''
  console.log(
    `${label.padEnd(44)} ${rows.toLocaleString('en').padStart(11)} ${unit}, best ${best.toFixed(2)} s = ${Math.round(
      rows / best,
    )
      .toLocaleString('en')
      .padStart(9)} ${unit}/s${mb}`,
  )
}

const options: GenerateOptions = { seed: 42, days: 120, symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'] }
const resolved = resolveOptions(options)
console.log(
  `node ${process.version}, ${options.days} days × ${options.symbols?.length} symbols, 4 trades/min`,
)
measure('candlesticks, all 8 intervals, COPY bytes', () => candleCopy(resolved))
measure('candlesticks, 1m only, COPY bytes', () =>
  candleCopy(resolveOptions({ ...options, intervals: ['1m'] })),
)
measure('trades, COPY bytes', () => tradeCopy(resolved))
measure('order books (hourly, 20 levels), COPY bytes', () => bookCopy(resolved))
measure('candlesticks as row objects (generate.*)', () => generate.candlesticks({ ...options, days: 30 }))
measure('trades as row objects (generate.*)', () => generate.trades({ ...options, days: 30 }))
