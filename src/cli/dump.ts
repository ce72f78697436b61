import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { dumpFixture, resolveTables } from '../fixtures/index.js'
import {
  CliError,
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  wholeNumber,
  withPool,
} from './context.js'

interface DumpOptions extends ConnectionOptions {
  indent?: number
  output?: string
}

/** `dsta-db dump [tables…]`: Django's `dumpdata`, sorted so that the same rows always give the same text. */
export function dumpCommand(program: Command, io: CliIo): void {
  program
    .command('dump')
    .description('write the rows of some or all tables as a JSON fixture (Django: dumpdata)')
    .argument(
      '[tables...]',
      'candlesticks, trades, order_books, market_metrics, or api.Candlestick …; default all',
    )
    .option('--indent <n>', 'indent the JSON by n spaces (default: one record per line)', wholeNumber(0))
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .option('--database-url <url>', CONNECTION_HELP)
    .action(async (tables: string[], options: DumpOptions) => {
      try {
        resolveTables(tables)
      } catch (error) {
        throw new CliError((error as Error).message, 2)
      }
      const url = databaseUrl(options, io)
      const text = await withPool(url, (pool) =>
        dumpFixture(pool, tables, options.indent === undefined ? {} : { indent: options.indent }),
      )
      if (options.output === undefined) return io.stdout(text)
      await writeFile(resolve(io.cwd, options.output), text)
      io.stderr(`wrote ${JSON.parse(text).length} record(s) to ${options.output}\n`)
    })
}
