/**
 * Charts of large windows: rows read, bars drawn, time to gather and render, file size, and the time
 * headless Chromium takes to open the page until it reports "drawn". Generated windows of 7, 30 and
 * 365 days of BTCUSDT; then 90 days in a database, read from stored candles of the interval shown,
 * from 1m candles only (PostgreSQL folds them) and from trades only. Medians of `REPS` runs (default 3).
 *   npm run bench -- bench/chart.ts [--screenshot docs/chart-btcusdt-week.png]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { type CommonQueryMethods, sql } from 'slonik'
import { type ChartData, type ChartSource, collectChartData, renderChartHtml } from '../src/chart/index.js'
import { generateTestData } from '../src/generate/index.js'
import { migrate } from '../src/migrate/index.js'
import { createDstaPool } from '../src/schema/index.js'
import { startPostgres } from '../src/server/index.js'
import { chromiumMissing, launchChromium, openChart } from '../test/support/chromium.js'

const REPS = Number(process.env.REPS ?? 3)
const dir = mkdtempSync(join(tmpdir(), 'dsta-chart-bench-'))
const missing = chromiumMissing()
const browser = missing ? undefined : await launchChromium()
if (missing) console.log(`(no page load times: ${missing})`)

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

async function measure(name: string, source: ChartSource) {
  const gather: number[] = []
  const render: number[] = []
  const load: number[] = []
  let data: ChartData | undefined
  let html = ''
  for (let rep = 0; rep < REPS; rep++) {
    let start = performance.now()
    data = await collectChartData(source)
    gather.push(performance.now() - start)
    start = performance.now()
    html = renderChartHtml(data)
    render.push(performance.now() - start)
    if (browser) {
      const file = join(dir, 'page.html')
      writeFileSync(file, html)
      const opened = await openChart(browser, file)
      if (opened.errors.length) throw new Error(opened.errors.join('\n'))
      load.push(opened.report.drawnMs)
      await opened.page.close()
    }
  }
  const market = data?.markets[0]
  const rows = data?.markets.reduce((sum, m) => sum + m.rowsIn.rows, 0) ?? 0
  const from = market?.rowsIn.table === 'trades' ? 'trades' : `${market?.rowsIn.interval} candles`
  console.log(
    [
      name.padEnd(40),
      `${rows.toLocaleString('en-US')} ${from}`.padEnd(22),
      `${market?.bars.length} × ${market?.interval}`.padEnd(12),
      median(gather).toFixed(0).padStart(8),
      median(render).toFixed(1).padStart(8),
      `${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB`.padStart(9),
      (load.length ? median(load).toFixed(0) : '—').padStart(8),
    ].join('  '),
  )
}

console.log(
  `charts, median of ${REPS}; gather = rows → bars (ms), render = HTML (ms), open = Chromium, navigation start → drawn, by the page's clock (ms)\n`,
)
console.log(
  `${'case'.padEnd(40)}  ${'rows in'.padEnd(22)}  ${'bars'.padEnd(12)}  ${'gather'.padStart(8)}  ${'render'.padStart(8)}  ${'file'.padStart(9)}  ${'open'.padStart(8)}`,
)
for (const days of [7, 30, 365])
  await measure(`generated, ${days} days of BTCUSDT`, { generate: { seed: 42, days, symbols: ['BTCUSDT'] } })

const server = await startPostgres()
const admin = new pg.Client({ connectionString: server.url })
await admin.connect()
await admin.query('CREATE DATABASE chart_bench')
const url = server.url.replace(/\/postgres$/, '/chart_bench')
await migrate(url)
const pool = await createDstaPool(url)
try {
  const counts = await generateTestData(pool, { seed: 42, days: 90, symbols: ['BTCUSDT'] })
  console.log(
    `\n(database: 90 days of BTCUSDT, ${counts.candlesticks} candlesticks, ${counts.trades} trades)`,
  )
  const db: CommonQueryMethods = pool
  await measure('database, stored candles of the interval', { db })
  await pool.query(sql.unsafe`DELETE FROM candlesticks WHERE "interval" <> '1m'`)
  await measure('database, 1m candles only', { db })
  await pool.query(sql.unsafe`DELETE FROM candlesticks`)
  await measure('database, trades only', { db })
} finally {
  await pool.end()
  await admin.end()
  await server.stop()
}

const shot = process.argv.indexOf('--screenshot')
if (shot > 0 && browser) {
  // The README's picture: a generated week of BTCUSDT, hourly candles.
  const data = await collectChartData(
    { generate: { seed: 42, days: 7, symbols: ['BTCUSDT'] } },
    { interval: '1h' },
  )
  const file = join(dir, 'week.html')
  writeFileSync(file, renderChartHtml(data))
  const opened = await openChart(browser, file)
  const target = resolve(process.argv[shot + 1] ?? 'docs/chart-btcusdt-week.png')
  await opened.page.screenshot({ path: target, fullPage: true })
  console.log(`\nscreenshot: ${target}`)
}
await browser?.close()
rmSync(dir, { recursive: true, force: true })
