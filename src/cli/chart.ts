import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { type Command, InvalidArgumentError, Option } from 'commander'
import type { ChartData, ChartOptions, ChartSource } from '../chart/index.js'
import { DEFAULT_SEED } from '../generate/defaults.js'
import { resolveWindow } from '../generate/time.js'
import { EXCHANGES, type Exchange, INTERVALS, type Interval } from '../schema/enums.js'
import { externalUrl, redact } from '../server/address.js'
import {
  CliError,
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  examples,
  positiveNumber,
  say,
} from './context.js'

interface ChartCliOptions extends ConnectionOptions {
  output: string
  seed?: number | string
  days?: number
  end?: string
  at?: string
  symbols?: string[]
  symbol?: string
  exchange?: Exchange
  interval: Interval | 'auto'
  title?: string
}

/**
 * `dsta-db chart -o FILE.html`: one self-contained page of candles, volume, book depth and daily
 * metrics, from a database or straight from the generator (`--seed`, or no database configured).
 */
export function chartCommand(program: Command, io: CliIo): void {
  program
    .command('chart')
    .description('draw candles + volume, order book depth and daily metrics into one offline HTML file')
    .option('-o, --output <file>', 'the HTML file to write', 'chart.html')
    .option('--database-url <url>', `${CONNECTION_HELP}; with none, the generator draws`)
    .option(
      '--seed <seed>',
      `chart generated data of this seed, no database (default ${DEFAULT_SEED} when no database is configured)`,
      parseSeed,
    )
    .option(
      '--days <n>',
      'length of the window in days (generated: default 30; database: all rows)',
      positiveNumber(),
    )
    .option(
      '--end <iso>',
      'end of the window, exclusive (generated: default 2026-01-01T00:00Z; database: after the last row)',
      checkInstant('--end'),
    )
    .option(
      '--symbols <symbols...>',
      'markets to draw (generated: default BTCUSDT ETHUSDT BNBUSDT; database: all)',
      symbolList,
    )
    .option('--symbol <symbol>', 'the market shown first', oneSymbol)
    .addOption(
      new Option('--exchange <name>', 'exchange (generated: default binance; database: all)').choices(
        EXCHANGES,
      ),
    )
    .addOption(
      new Option('--interval <interval>', 'bar interval; auto picks the finest with at most 500 bars')
        .choices(['auto', ...INTERVALS])
        .default('auto'),
    )
    .option(
      '--at <iso>',
      "moment of the order book shown: the last snapshot at or before it (default: the window's end)",
      checkInstant('--at'),
    )
    .option('--title <text>', 'title of the page')
    .addHelpText(
      'after',
      examples(
        'dsta-db chart --seed 42 --days 7 --symbols BTCUSDT -o btc-week.html',
        'DATABASE_URL=postgresql://… dsta-db chart --symbol ETHUSDT --interval 1h -o eth.html',
      ),
    )
    .action(async (options: ChartCliOptions) => {
      const chartOptions: ChartOptions = {
        interval: options.interval,
        ...(options.symbol !== undefined ? { symbol: options.symbol } : {}),
        ...(options.symbols !== undefined ? { symbols: options.symbols } : {}),
        ...(options.exchange !== undefined ? { exchange: options.exchange } : {}),
        ...(options.at !== undefined ? { at: options.at } : {}),
        ...(options.title !== undefined ? { title: options.title } : {}),
      }
      const url = options.databaseUrl ?? externalUrl(io.env)
      if (options.databaseUrl !== undefined && options.seed !== undefined)
        throw new CliError(
          "--seed draws generated data and --database-url a database's rows: give one of them",
          2,
        )
      let data: ChartData
      if (url === undefined || options.seed !== undefined) {
        const generate = {
          seed: options.seed ?? DEFAULT_SEED,
          ...(options.days !== undefined ? { days: options.days } : {}),
          ...(options.end !== undefined ? { end: options.end } : {}),
        }
        if (options.seed === undefined)
          io.stderr(`no database configured: drawing generated data, seed ${generate.seed}\n`)
        data = await collect({ generate }, chartOptions)
      } else {
        const window = {
          ...(options.days !== undefined ? { days: options.days } : {}),
          ...(options.end !== undefined ? { end: options.end } : {}),
        }
        const { withPool } = await import('./pool.js')
        data = await withPool(url, (db) =>
          collect({ db, label: `database ${redact(url)}` }, { ...chartOptions, ...window }),
        )
      }
      const { renderChartHtml } = await import('../chart/index.js')
      const html = renderChartHtml(data)
      await writeFile(resolve(io.cwd, options.output), html)
      say(
        io,
        `Wrote ${options.output} (${Math.round(Buffer.byteLength(html) / 1024)} KiB): ${data.title}, ${data.source}`,
      )
      for (const market of data.markets) say(io, `  ${describeMarket(market)}`)
      say(io, `  market metrics: ${data.metrics.days.length} day(s) from ${data.metrics.rowsIn} row(s)`)
    })
}

/** An option the chart cannot follow is a wrong invocation: exit 2 (a database's refusal stays 1). */
async function collect(source: ChartSource, options: ChartOptions): Promise<ChartData> {
  // Loaded when the command runs: `dsta-db --help` stays on commander alone.
  const { ChartOptionError, collectChartData } = await import('../chart/index.js')
  try {
    return await collectChartData(source, options)
  } catch (error) {
    if (error instanceof ChartOptionError) throw new CliError(error.message, 2)
    throw error
  }
}

function describeMarket(market: ChartData['markets'][number]): string {
  const rows = market.rowsIn
  const from =
    rows.table === 'trades'
      ? `${rows.rows} trades`
      : `${rows.rows} ${rows.interval} candlesticks (${rows.trades} trades)`
  const book = market.book
    ? `book at ${market.book.timestamp} (${market.book.bids.length}/${market.book.asks.length} levels)`
    : 'no book'
  return `${market.symbol} ${market.exchange}: ${market.bars.length} ${market.interval} bars from ${from}; ${book}`
}

function oneSymbol(value: string): string {
  if (!/^[A-Z0-9]{2,20}$/.test(value))
    throw new InvalidArgumentError(`"${value}" must be 2–20 upper-case letters or digits, e.g. BTCUSDT.`)
  return value
}

function symbolList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), oneSymbol(value)]
}

function parseSeed(value: string): number | string {
  return /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : value
}

function checkInstant(option: string) {
  return (value: string): string => {
    try {
      resolveWindow(1, value)
      return value
    } catch {
      throw new InvalidArgumentError(
        `${option} must be a date (2026-01-01, UTC) or a time with its zone (2026-01-01T00:00Z); without a zone it would depend on the machine.`,
      )
    }
  }
}
