import type { Command } from 'commander'
import { redact } from '../server/address.js'
import {
  CliError,
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  examples,
  FORCE_HELP,
  type GuardOptions,
  say,
} from './context.js'

/** `dsta-db flush --yes`: Django's `flush`; empties the four tables, keeps the schema and the migration history. */
export function flushCommand(program: Command, io: CliIo): void {
  program
    .command('flush')
    .description('delete every row of the four tables; keep the schema and migration history (Django: flush)')
    .option('--yes', 'confirm: the rows are gone for good')
    .option('--force', FORCE_HELP)
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText(
      'after',
      examples(
        'dsta-db flush --yes',
        'DATABASE_URL=postgresql://dsta:dsta@localhost/dsta_dev dsta-db flush --yes',
      ),
    )
    .action(async (options: ConnectionOptions & GuardOptions & { yes?: boolean }) => {
      const url = databaseUrl(options, io)
      if (!options.yes)
        throw new CliError(
          `flush deletes every row of candlesticks, trades, order_books and market_metrics in ${redact(url)}: add --yes to go ahead`,
          2,
        )
      const { guard } = await import('./guard.js')
      await guard(url, io, 'flush', options)
      const { withPool } = await import('./pool.js')
      const { sql } = await import('slonik')
      await withPool(url, (pool) =>
        pool.query(sql.unsafe`TRUNCATE candlesticks, trades, order_books, market_metrics RESTART IDENTITY`),
      )
      say(
        io,
        'Flushed candlesticks, trades, order_books and market_metrics (schema and migration history kept).',
      )
    })
}
