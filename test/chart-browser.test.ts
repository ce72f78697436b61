// The chart page in a real browser: Debian's Chromium, headless, offline. The page reports what the
// library holds once drawn; a screenshot shows the candles' colours. Skipped, saying why, without Chromium.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll } from 'vitest'
import { renderChart } from '../src/chart/index.js'
import { expect, test } from '../src/vitest/index.js'
import { type Browser, chromiumMissing, launchChromium, openChart, pixelStats } from './support/chromium.js'

const missing = chromiumMissing()
if (missing) console.warn(`test/chart-browser.test.ts skipped: ${missing}`)
// .ci/run installs Chromium: in CI its absence is a failure, not a skip.
if (missing && process.env.CI) test('Chromium is installed (CI)', () => expect.fail(missing))

const UP = '#089981'
const DOWN = '#f23645'

// Top level, not in a describe: the db fixture's worker-scoped set-up must be defined at the top.
const inBrowser = test.skipIf(missing !== undefined)
let browser: Browser
let dir: string
beforeAll(async () => {
  if (missing) return
  dir = mkdtempSync(join(tmpdir(), 'dsta-chart-browser-'))
  browser = await launchChromium()
}, 60_000)
afterAll(async () => {
  await browser?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function write(name: string, html: string): string {
  const file = join(dir, name)
  writeFileSync(file, html)
  return file
}

inBrowser(
  'a generated week of BTCUSDT and ETHUSDT: 168 candles, 20 + 20 levels, 7 days of metrics, nothing fetched',
  async () => {
    const file = write(
      'week.html',
      await renderChart(
        { generate: { seed: 42, days: 7, symbols: ['BTCUSDT', 'ETHUSDT'] } },
        { interval: '1h' },
      ),
    )
    const { page, report, requests, errors } = await openChart(browser, file)
    expect(errors).toEqual([])
    expect(requests).toEqual([pathToFileURL(file).href]) // offline: the file alone
    expect(report).toMatchObject({
      market: 'binance:BTCUSDT',
      interval: '1h',
      candles: 168,
      volumeBars: 168,
      bidLevels: 20,
      askLevels: 20,
      metricPoints: { total_market_cap: 7, btc_dominance: 7, fear_greed_index: 7 },
      markets: 2,
    })
    expect(report.depthPoints).toBeGreaterThanOrEqual(40) // the book sampled on its price grid
    expect(report.canvases).toBeGreaterThanOrEqual(9) // three charts, each several layers and panes
    expect(await page.textContent('#rows-in')).toBe(
      '168 bars of 1h from 168 1h candlesticks (38\u2009786 trades)',
    )
    expect(await page.textContent('#metrics-legend')).toMatch(
      /^2025-12-31 · total market cap \$[\d.]+ T · BTC dominance [\d.]+ % · fear & greed \d+ \((Extreme Fear|Fear|Neutral|Greed|Extreme Greed)\)$/,
    )

    // The candles are on screen in both colours, with their volume below them.
    const candles = pixelStats(await page.locator('#price-chart').screenshot(), { up: UP, down: DOWN })
    expect(candles.found.up).toBeGreaterThan(500)
    expect(candles.found.down).toBeGreaterThan(500)
    const whole = pixelStats(await page.screenshot({ fullPage: true }))
    expect(whole.inkedShare).toBeGreaterThan(0.05)
    expect(whole.colours).toBeGreaterThan(50)

    // Another market, one click away.
    await page.getByRole('button', { name: 'ETHUSDT' }).click()
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { dstaChart: { market: string } }).dstaChart.market === 'binance:ETHUSDT',
    )
    expect(await page.textContent('#market-title')).toBe('ETHUSDT · binance · 1h candles')
    expect(await page.textContent('#price-legend')).toMatch(/^2025-12-31 23:00 {2}O 2\s?\d{3}\.\d\d/)
    await page.close()
  },
)

inBrowser('nothing to draw: the page says so, and the pixel check sees a blank chart as blank', async () => {
  const { page, report, errors } = await openChart(
    browser,
    write('empty.html', await renderChart({ rows: {} })),
  )
  expect(errors).toEqual([])
  expect(report).toMatchObject({ market: null, candles: 0, bidLevels: 0, markets: 0 })
  expect(await page.isHidden('#price')).toBe(true)
  expect(await page.textContent('#metrics-legend')).toBe('no market metrics in this window')
  const blank = pixelStats(await page.locator('#metrics-chart').screenshot(), { up: UP, down: DOWN })
  expect(blank.found).toEqual({ up: 0, down: 0 })
  await page.close()
})

inBrowser("a test's own rows, read from its database, drawn", async ({ db, factories }) => {
  await factories.candlestick.createList(48, { symbol: 'SOLUSDT', interval: '1h' })
  await factories.orderBook.create({ symbol: 'SOLUSDT', timestamp: new Date('2026-01-02T12:00:00Z') })
  await factories.marketMetric.fearGreedIndex().createList(2)
  const { report, errors } = await openChart(browser, write('db.html', await renderChart({ db })))
  expect(errors).toEqual([])
  expect(report).toMatchObject({
    market: 'binance:SOLUSDT',
    interval: '1h',
    candles: 48,
    bidLevels: 10,
    askLevels: 10,
    metricPoints: { fear_greed_index: 2, btc_dominance: 0 },
  })
})
