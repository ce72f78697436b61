// Headless Chromium from Debian's package (`apt-get install chromium`), driven by playwright-core:
// for the chart tests and the chart bench. The network is cut: a page may read its own file only.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { PNG } from 'pngjs'

export const CHROMIUM = process.env.DSTA_CHROMIUM ?? '/usr/bin/chromium'

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `no Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium) or set DSTA_CHROMIUM`
}

export interface Browser {
  context: BrowserContext
  close(): Promise<void>
}

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'dsta-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 960 },
    deviceScaleFactor: 1,
    offline: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  return {
    context,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** What the page says it drew (`window.dstaChart`). */
export interface ChartReport {
  ready: boolean
  market: string | null
  interval: string | null
  candles: number
  volumeBars: number
  bidLevels: number
  askLevels: number
  depthPoints: number
  metricPoints: { total_market_cap: number; btc_dominance: number; fear_greed_index: number }
  markets: number
  canvases: number
  /** Milliseconds from the start of navigation until drawn, by the page's own clock. */
  drawnMs: number
}

export interface OpenedChart {
  page: Page
  report: ChartReport
  /** Every URL the page asked for (its own file included). */
  requests: string[]
  /** Uncaught errors and console errors of the page. */
  errors: string[]
  loadMs: number
}

/** Opens a chart file and waits until it reports that it has drawn. */
export async function openChart(browser: Browser, file: string): Promise<OpenedChart> {
  const page = await browser.context.newPage()
  const requests: string[] = []
  const errors: string[] = []
  page.on('request', (request) => requests.push(request.url()))
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  const start = performance.now()
  await page.goto(pathToFileURL(file).href)
  await page.waitForFunction(
    () => (globalThis as unknown as { dstaChart?: ChartReport }).dstaChart?.ready,
    null,
    {
      timeout: 20_000,
    },
  )
  const loadMs = performance.now() - start
  const report = await page.evaluate(() => (globalThis as unknown as { dstaChart: ChartReport }).dstaChart)
  return { page, report, requests, errors, loadMs }
}

/** Pixel statistics of a PNG: how much is not background, how many colours, and which of some are there. */
export function pixelStats(png: Buffer, look: Record<string, string> = {}) {
  const image = PNG.sync.read(png)
  const background = [image.data[0], image.data[1], image.data[2]]
  const colours = new Set<number>()
  const wanted = Object.entries(look).map(([name, hex]) => [name, Number.parseInt(hex.slice(1), 16)] as const)
  const found: Record<string, number> = Object.fromEntries(wanted.map(([name]) => [name, 0]))
  let inked = 0
  for (let i = 0; i < image.data.length; i += 4) {
    const [r, g, b] = [image.data[i] as number, image.data[i + 1] as number, image.data[i + 2] as number]
    const rgb = (r << 16) | (g << 8) | b
    colours.add(rgb)
    if (r !== background[0] || g !== background[1] || b !== background[2]) inked++
    for (const [name, value] of wanted) if (value === rgb) found[name] = (found[name] ?? 0) + 1
  }
  const pixels = image.width * image.height
  return {
    width: image.width,
    height: image.height,
    inkedShare: inked / pixels,
    colours: colours.size,
    found,
  }
}
