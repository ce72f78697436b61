import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { MarketMetric } from '../schema/index.js'
import { type LoadTarget, withLoadClient } from './client.js'
import {
  bookCopy,
  COPY_COLUMNS,
  COPY_HEADER,
  COPY_TRAILER,
  type CopyChunk,
  candleCopy,
  tradeCopy,
} from './encode.js'
import { metricsOfWindow } from './metrics.js'
import { type GenerateOptions, type ResolvedOptions, resolveOptions } from './options.js'
import { dayRange } from './time.js'

export type GeneratedTable = 'candlesticks' | 'trades' | 'order_books' | 'market_metrics'

export interface GenerateProgress {
  table: GeneratedTable
  /** Rows of `table` written so far. */
  rows: number
  /** Share of the whole load done, 0–100. */
  percent: number
}

export interface GenerateTestDataOptions extends GenerateOptions {
  /** Print what is being generated and the counts, as the guide's command did. */
  verbose?: boolean
  /** Called after each symbol-day of each table. */
  onProgress?: (progress: GenerateProgress) => void
  /**
   * ANALYZE the four tables after loading (default true), so that the planner of the queries under
   * test knows the row counts; autovacuum never sees rows inside an open test transaction.
   */
  analyze?: boolean
}

/** Rows created per table; `order_books` / `market_metrics` repeat the camel-case counts under the guide's table names. */
export interface GeneratedCounts {
  candlesticks: number
  trades: number
  orderBooks: number
  marketMetrics: number
  order_books: number
  market_metrics: number
}

/**
 * Generates the market and streams it into the four tables with COPY, in one transaction (or
 * savepoint, inside the caller's transaction): a failing load leaves the tables as they were.
 * Market metrics are inserted with ON CONFLICT DO NOTHING, as they do not depend on the exchange:
 * a second exchange can be loaded into the same database. Returns the rows created per table.
 */
export async function generateTestData(
  db: LoadTarget,
  options: GenerateTestDataOptions = {},
): Promise<GeneratedCounts> {
  const resolved = resolveOptions(options)
  const log = options.verbose ? (line: string) => console.log(line) : () => {}
  const { first, last } = dayRange(resolved.window)
  const steps = 3 * (last - first + 1) * resolved.symbols.length + 1
  let done = 0
  const progress = (table: GeneratedTable, rows: number) => {
    done++
    options.onProgress?.({ table, rows, percent: Math.min(100, (100 * done) / steps) })
  }
  log(
    `Generating ${resolved.days} days of data for ${resolved.symbols.join(', ')} on ${resolved.exchange} ` +
      `(seed ${resolved.seed}, ${new Date(resolved.window.startMs).toISOString()} → ` +
      `${new Date(resolved.window.endMs).toISOString()})`,
  )
  const counts = await withLoadClient(db, async (client) => {
    const candlesticks = await copyInto(client, 'candlesticks', candleCopy(resolved), progress)
    log(`Created ${candlesticks} candlesticks`)
    const trades = await copyInto(client, 'trades', tradeCopy(resolved), progress)
    log(`Created ${trades} trades`)
    const orderBooks = await copyInto(client, 'order_books', bookCopy(resolved), progress)
    log(`Created ${orderBooks} order books`)
    const marketMetrics = await insertMetrics(client, resolved)
    progress('market_metrics', marketMetrics)
    log(`Created ${marketMetrics} market metrics`)
    if (options.analyze !== false)
      await client.query('ANALYZE candlesticks, trades, order_books, market_metrics')
    return {
      candlesticks,
      trades,
      orderBooks,
      marketMetrics,
      order_books: orderBooks,
      market_metrics: marketMetrics,
    }
  })
  return counts
}

async function copyInto(
  client: pg.Client,
  table: keyof typeof COPY_COLUMNS,
  chunks: Generator<CopyChunk>,
  progress: (table: GeneratedTable, rows: number) => void,
): Promise<number> {
  let rows = 0
  function* counted(): Generator<Buffer> {
    yield COPY_HEADER
    for (const chunk of chunks) {
      rows += chunk.rows
      if (chunk.data.length > 0) yield chunk.data
      if (chunk.dayEnd) progress(table, rows)
    }
    yield COPY_TRAILER
  }
  const copy = `COPY ${table} (${COPY_COLUMNS[table]}) FROM STDIN (FORMAT binary)`
  const stream = client.query(copyFrom(copy))
  await pipeline(Readable.from(counted()), stream)
  if (stream.rowCount !== rows)
    throw new Error(`COPY ${table} wrote ${stream.rowCount} rows, expected ${rows}`)
  return rows
}

async function insertMetrics(client: pg.Client, options: ResolvedOptions): Promise<number> {
  const rows: MarketMetric[] = [...metricsOfWindow(options.seed, options.window)]
  if (rows.length === 0) return 0
  const result = await client.query(
    `INSERT INTO market_metrics (metric_type, "timestamp", value, metadata)
     SELECT metric_type, "timestamp", value, metadata
     FROM jsonb_to_recordset($1::jsonb) AS r(metric_type text, "timestamp" timestamptz, value numeric, metadata jsonb)
     ON CONFLICT (metric_type, "timestamp") DO NOTHING`,
    [JSON.stringify(rows)],
  )
  return result.rowCount ?? 0
}
