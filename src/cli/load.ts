import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { FixtureCounts } from '../fixtures/index.js'
import {
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

/** `dsta-db load <file…>`: Django's `loaddata`, every file in one transaction. */
export function loadCommand(program: Command, io: CliIo): void {
  program
    .command('load')
    .description('load JSON fixture files, all or nothing (Django: loaddata)')
    .argument('<files...>', 'fixture files, e.g. fixtures/sample_data.json')
    .option('--force', `${FORCE_HELP} (only asked when the tables already hold rows)`)
    .option('--json', 'print the rows loaded per table as JSON')
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText('after', examples('dsta-db load fixtures/sample_data.json my_data.json'))
    .action(async (files: string[], options: ConnectionOptions & GuardOptions & OutputOptions) => {
      const url = databaseUrl(options, io)
      const { withPool } = await import('./pool.js')
      const { loadFixture } = await import('../fixtures/index.js')
      const counts = await withPool(url, async (pool) => {
        // Loading adds to what is there: into non-empty tables of a database not ours, only with --force.
        if (await anyRows(pool)) {
          const { guard } = await import('./guard.js')
          await guard(url, io, 'load rows into the non-empty tables of', options)
        }
        return loadFixture(
          pool,
          files.map((file) => resolve(io.cwd, file)),
        )
      })
      if (options.json)
        return printJson(io, { installed: total(counts), fixtures: files.length, rows: counts })
      say(io, `Installed ${total(counts)} object(s) from ${files.length} fixture(s)${breakdown(counts)}`)
    })
}

/** Whether any of the four tables holds a row (a table not there yet holds none). */
async function anyRows(pool: import('slonik').DatabasePool): Promise<boolean> {
  const { sql } = await import('slonik')
  const present = await pool.anyFirst(sql.unsafe`
    SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = current_schema()::regnamespace
       AND relname IN ('candlesticks', 'trades', 'order_books', 'market_metrics')`)
  for (const table of present)
    if (await pool.oneFirst(sql.unsafe`SELECT EXISTS (SELECT 1 FROM ${sql.identifier([String(table)])})`))
      return true
  return false
}

const total = (counts: FixtureCounts) => Object.values(counts).reduce((sum, count) => sum + count, 0)

/** ` (2 candlesticks, 2 market_metrics)`, tables with rows only. */
export function breakdown(counts: FixtureCounts): string {
  const parts = Object.entries(counts).flatMap(([table, count]) => (count ? [`${count} ${table}`] : []))
  return parts.length ? ` (${parts.join(', ')})` : ''
}
