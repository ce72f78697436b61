import { type Command, InvalidArgumentError, Option } from 'commander'
import { DEFAULT_SEED } from '../generate/defaults.js'
import type { GeneratedCounts, GenerateTestDataOptions } from '../generate/index.js'
import { DEFAULT_END, resolveWindow } from '../generate/time.js'
import { EXCHANGES, type Exchange } from '../schema/enums.js'
import {
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  examples,
  positiveNumber,
  say,
} from './context.js'
import { type OutputOptions, printJson, progress } from './output.js'

export interface GenerateCliOptions extends ConnectionOptions, OutputOptions {
  days: number
  symbols: string[]
  exchange: Exchange
  seed: number | string
  end: Date
}

export const DEFAULT_SYMBOL_LIST: string[] = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT']

/** 100 years of minutes: more would not fit a database anyone waits for (≈ 160 M candles a symbol). */
export const MAX_DAYS = 36_500

/** `dsta-db generate`: the guide's `generate_test_data`, seeded, so the same options give the same rows. */
export function generateCommand(program: Command, io: CliIo): void {
  program
    .command('generate')
    .description('fill the tables with deterministic market data (Django: generate_test_data)')
    .option('--days <n>', 'length of the window in days, fractions allowed', positiveNumber(MAX_DAYS), 30)
    .option('--symbols <symbols...>', 'trading pairs', symbolList, DEFAULT_SYMBOL_LIST)
    .addOption(new Option('--exchange <name>', 'exchange').choices(EXCHANGES).default('binance'))
    .option('--seed <seed>', 'same seed, same rows', parseSeed, DEFAULT_SEED)
    .option('--end <iso>', 'end of the window (exclusive)', parseEnd, DEFAULT_END)
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print the rows created per table as JSON (progress still on stderr)')
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText(
      'after',
      examples(
        'dsta-db generate --exchange gateio --days 7 --symbols BTCUSDT ETHUSDT',
        'dsta-db generate --days 1 --seed 7 --json',
      ),
    )
    .action(async (options: GenerateCliOptions) => {
      const url = databaseUrl(options, io)
      const { withPool } = await import('./pool.js')
      const counts = await withPool(url, (pool) => generateInto(pool, options, io))
      if (options.json) printJson(io, counts)
    })
}

/** Generates into `pool`, with a progress bar, and prints the guide's lines (`Created N candlesticks` …) unless quiet or JSON; shared with `init`. */
export async function generateInto(
  pool: import('slonik').DatabasePool,
  options: Omit<GenerateCliOptions, keyof ConnectionOptions>,
  io: CliIo,
): Promise<GeneratedCounts> {
  const { days, symbols, exchange, seed, end, quiet, json } = options
  const text = !quiet && !json
  if (text)
    say(
      io,
      `Generating ${days} day(s) of ${symbols.join(', ')} on ${exchange}, seed ${seed}, ending ${end.toISOString()}`,
    )
  const { generateTestData } = await import('../generate/index.js')
  const bar = await progress(io, options, 'generate')
  const rowsDone = new Map<string, number>()
  const onProgress: GenerateTestDataOptions['onProgress'] = ({ table, rows, percent }) => {
    rowsDone.set(table, rows)
    const total = [...rowsDone.values()].reduce((sum, count) => sum + count, 0)
    bar.update(percent, 100, total, table)
  }
  let counts: GeneratedCounts
  try {
    counts = await generateTestData(pool, { days, symbols, exchange, seed, end, onProgress })
  } finally {
    bar.stop()
  }
  if (text) {
    say(io, `Created ${counts.candlesticks} candlesticks`)
    say(io, `Created ${counts.trades} trades`)
    say(io, `Created ${counts.orderBooks} order books`)
    say(io, `Created ${counts.marketMetrics} market metrics`)
  }
  return counts
}

function symbolList(value: string, previous: string[]): string[] {
  if (!/^[A-Z0-9]{2,20}$/.test(value))
    throw new InvalidArgumentError(`"${value}" must be 2–20 upper-case letters or digits, e.g. BTCUSDT.`)
  // the first symbol given replaces the defaults, the next ones add to it
  return previous === DEFAULT_SYMBOL_LIST ? [value] : [...previous, value]
}

function parseSeed(value: string): number | string {
  return /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : value
}

function parseEnd(value: string): Date {
  try {
    return new Date(resolveWindow(1, value).endMs)
  } catch {
    throw new InvalidArgumentError(
      'must be a date (2026-01-01, UTC) or a time with its zone (2026-01-01T00:00Z); without a zone it would depend on the machine.',
    )
  }
}
