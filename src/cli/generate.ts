import { type Command, InvalidArgumentError, Option } from 'commander'
import {
  DEFAULT_END,
  DEFAULT_SEED,
  DEFAULT_SYMBOLS,
  type GeneratedCounts,
  generateTestData,
  resolveWindow,
} from '../generate/index.js'
import { EXCHANGES, type Exchange, TradingSymbol } from '../schema/index.js'
import {
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  positiveNumber,
  say,
  withPool,
} from './context.js'

export interface GenerateCliOptions extends ConnectionOptions {
  days: number
  symbols: string[]
  exchange: Exchange
  seed: number | string
  end: Date
  quiet?: boolean
}

/** `dsta-db generate`: the guide's `generate_test_data`, seeded, so the same options give the same rows. */
export function generateCommand(program: Command, io: CliIo): void {
  program
    .command('generate')
    .description('fill the tables with deterministic market data (Django: generate_test_data)')
    .option('--days <n>', 'length of the window in days, fractions allowed', positiveNumber, 30)
    .option('--symbols <symbols...>', 'trading pairs', symbolList, DEFAULT_SYMBOL_LIST)
    .addOption(new Option('--exchange <name>', 'exchange').choices(EXCHANGES).default('binance'))
    .option('--seed <seed>', 'same seed, same rows', parseSeed, DEFAULT_SEED)
    .option('--end <iso>', 'end of the window (exclusive)', parseEnd, DEFAULT_END)
    .option('--quiet', 'print nothing but errors')
    .option('--database-url <url>', CONNECTION_HELP)
    .action(async (options: GenerateCliOptions) => {
      const url = databaseUrl(options, io)
      await withPool(url, (pool) => generateInto(pool, options, io))
    })
}

/** Generates into `pool` and prints the guide's lines (`Created N candlesticks` …) unless quiet; shared with `init`. */
export async function generateInto(
  pool: Parameters<typeof generateTestData>[0],
  options: Omit<GenerateCliOptions, keyof ConnectionOptions>,
  io: CliIo,
): Promise<GeneratedCounts> {
  const { days, symbols, exchange, seed, end, quiet } = options
  if (!quiet)
    say(
      io,
      `Generating ${days} day(s) of ${symbols.join(', ')} on ${exchange}, seed ${seed}, ending ${end.toISOString()}`,
    )
  let shown = 0
  const counts = await generateTestData(pool, {
    days,
    symbols,
    exchange,
    seed,
    end,
    onProgress: ({ table, percent }) => {
      if (quiet || percent < shown + 10) return
      shown = Math.floor(percent / 10) * 10
      io.stderr(`  ${String(shown).padStart(3)}% (${table})\n`)
    },
  })
  if (!quiet) {
    say(io, `Created ${counts.candlesticks} candlesticks`)
    say(io, `Created ${counts.trades} trades`)
    say(io, `Created ${counts.orderBooks} order books`)
    say(io, `Created ${counts.marketMetrics} market metrics`)
  }
  return counts
}

function symbolList(value: string, previous: string[]): string[] {
  const parsed = TradingSymbol.safeParse(value)
  if (!parsed.success) throw new InvalidArgumentError(`"${value}" ${parsed.error.issues[0]?.message}.`)
  // the first symbol given replaces the defaults, the next ones add to it
  return previous === DEFAULT_SYMBOL_LIST ? [value] : [...previous, value]
}
const DEFAULT_SYMBOL_LIST: string[] = [...DEFAULT_SYMBOLS]

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
