import { chartFromGenerator } from './from-generator.js'
import { chartFromRows } from './from-rows.js'
import { renderHtml } from './html.js'
import type { ChartData, ChartOptions, ChartSource } from './types.js'

/**
 * What a chart of `source` shows, as data: the markets' bars (aggregated to the interval shown),
 * their order books and the daily metrics. `renderChart` turns the same into a page.
 */
export async function collectChartData(source: ChartSource, options: ChartOptions = {}): Promise<ChartData> {
  // The database path builds Slonik queries: loaded only when a chart reads a database.
  if ('db' in source)
    return (await import('./from-database.js')).chartFromDatabase(source.db, options, source.label)
  if ('generate' in source) return chartFromGenerator(source.generate, options)
  return chartFromRows(source.rows, options, source.label)
}

/**
 * One self-contained HTML page (opens offline) with candlesticks and volume, the order book's depth
 * and the daily market metrics of `source`: a database (`{ db }`, any Slonik connection, e.g. a
 * test's `db`), the generator (`{ generate: { seed, days, … } }`) or rows in memory (`{ rows }`).
 * Same rows, same bytes.
 */
export async function renderChart(source: ChartSource, options: ChartOptions = {}): Promise<string> {
  return renderHtml(await collectChartData(source, options))
}

export { LIBRARY_VERSION as CHART_LIBRARY_VERSION, renderHtml as renderChartHtml } from './html.js'
export type { ChartData, ChartOptions, ChartRows, ChartSource, MarketChart } from './types.js'
export { ChartOptionError, MAX_BARS } from './types.js'
