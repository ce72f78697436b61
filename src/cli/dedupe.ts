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
import { type OutputOptions, printJson } from './output.js'

interface DedupeOptions extends ConnectionOptions, GuardOptions, OutputOptions {
  yes?: boolean
  dryRun?: boolean
}

/**
 * `dsta-db dedupe --yes`: the guide's "Remove duplicates (backup first!)": of candlesticks that share
 * (exchange, symbol, interval, timestamp), keeps the first loaded (lowest id) and deletes the others.
 */
export function dedupeCommand(program: Command, io: CliIo): void {
  program
    .command('dedupe')
    .description('delete duplicate candlesticks that `verify` reports, keeping the first of each (lowest id)')
    .option('--dry-run', 'count what would be deleted; delete nothing')
    .option('--yes', 'confirm: the duplicates are deleted for good (take a `dsta-db backup` first)')
    .option('--force', FORCE_HELP)
    .option('--json', 'print the counts as JSON')
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText(
      'after',
      examples('dsta-db dedupe --dry-run', 'dsta-db backup -o before.dsta && dsta-db dedupe --yes'),
    )
    .action(async (options: DedupeOptions) => {
      const url = databaseUrl(options, io)
      if (!options.yes && !options.dryRun)
        throw new CliError(
          `dedupe deletes duplicate candlesticks in ${redact(url)}: add --yes to go ahead, or --dry-run to count them`,
          2,
        )
      if (!options.dryRun) {
        const { guard } = await import('./guard.js')
        await guard(url, io, 'delete duplicate rows of', options)
      }
      const { withPool } = await import('./pool.js')
      const { sql } = await import('slonik')
      const duplicates = sql.fragment`
        SELECT id FROM (
          SELECT id, row_number() OVER (PARTITION BY exchange, symbol, "interval", "timestamp" ORDER BY id) AS n
            FROM candlesticks) ranked
         WHERE n > 1`
      const deleted = await withPool(url, async (pool) =>
        options.dryRun
          ? Number(await pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM (${duplicates}) d`))
          : (await pool.query(sql.unsafe`DELETE FROM candlesticks WHERE id IN (${duplicates})`)).rowCount,
      )
      if (options.json)
        return printJson(io, {
          table: 'candlesticks',
          duplicates: deleted,
          deleted: options.dryRun ? 0 : deleted,
        })
      say(
        io,
        options.dryRun
          ? `${deleted} duplicate candlestick(s) would be deleted (dry run: nothing was changed)`
          : `Deleted ${deleted} duplicate candlestick(s); the first of each (lowest id) is kept`,
      )
    })
}
