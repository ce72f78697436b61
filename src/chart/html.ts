import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { MOOD_COLOURS, PAGE_SCRIPT } from './page-script.js'
import type { ChartData } from './types.js'

// The library's standalone build (it defines `window.LightweightCharts`), inlined in every page so the
// file opens offline. Its package exports no path to it, so it is found next to its package.json.
const libraryDir = dirname(createRequire(import.meta.url).resolve('lightweight-charts/package.json'))
export const LIBRARY_VERSION = (
  JSON.parse(readFileSync(join(libraryDir, 'package.json'), 'utf8')) as { version: string }
).version
let library: string | undefined
function libraryBundle(): string {
  library ??= readFileSync(join(libraryDir, 'dist', 'lightweight-charts.standalone.production.js'), 'utf8')
  if (/<\/script|<!--/i.test(library))
    throw new Error('lightweight-charts bundle cannot be inlined in a <script>')
  return library
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string)

/** JSON safe inside `<script>`: no `</script>`, no `<!--`. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c')

const MOOD_KEY = Object.entries(MOOD_COLOURS)
  .map(([name, colour]) => `<span class="swatch" style="background:${colour}"></span>${name}`)
  .join(' ')

const STYLE = `
  :root { color-scheme: light; }
  body { margin: 0; padding: 16px 20px; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #131722; background: #fff; }
  header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; margin-bottom: 8px; }
  h1 { font-size: 18px; margin: 0; }
  h2 { font-size: 14px; margin: 0 0 2px; }
  #source, .note, .legend, footer { color: #787b86; }
  #source { margin: 0; flex: 1 1 auto; }
  nav button { font: inherit; border: 1px solid #d1d4dc; background: #fff; border-radius: 4px; padding: 2px 8px; margin: 0 4px 0 0; cursor: pointer; }
  nav button[aria-pressed="true"] { background: #131722; color: #fff; border-color: #131722; }
  .legend { min-height: 18px; font-variant-numeric: tabular-nums; white-space: pre-wrap; }
  .note { margin: 2px 0 0; }
  #price-chart { height: 440px; }
  .row { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 24px; margin-top: 16px; }
  #book-chart, #metrics-chart { height: 300px; }
  .swatch { display: inline-block; width: 10px; height: 10px; margin: 0 3px 0 6px; vertical-align: -1px; }
  footer { margin-top: 16px; font-size: 11px; }
  footer a { color: inherit; }
`

/**
 * The page: one self-contained HTML file (the library, the data and the page's script inline, no
 * request to anywhere). Nothing in it depends on the clock: the same data gives the same bytes.
 */
export function renderHtml(data: ChartData): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="dsta-db">
<title>${escapeHtml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1 id="title"></h1><p id="source"></p><nav id="markets" aria-label="markets"></nav></header>
<section id="price">
  <h2 id="market-title"></h2>
  <div class="legend" id="price-legend"></div>
  <div id="price-chart"></div>
  <p class="note" id="rows-in"></p>
</section>
<div class="row">
  <section id="book"><h2>Order book depth</h2><div class="legend" id="book-legend"></div><div id="book-chart"></div></section>
  <section id="metrics"><h2>Market metrics, daily: total market cap · BTC dominance · fear &amp; greed</h2><div class="legend" id="metrics-legend"></div><div id="metrics-chart"></div>
    <p class="note">fear &amp; greed: ${MOOD_KEY}</p></section>
</div>
<footer>
  Drawn by dsta-db with TradingView Lightweight Charts™ v${escapeHtml(LIBRARY_VERSION)} (Apache License 2.0):
  TradingView Lightweight Charts, Copyright (c) 2023 TradingView, Inc. <a href="https://www.tradingview.com/">https://www.tradingview.com/</a>
</footer>
<pre id="dsta-chart-report" hidden></pre>
<script id="dsta-chart-data" type="application/json">${scriptJson(data)}</script>
<script>${libraryBundle()}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`
}
