import { resolve } from 'node:path'
import type { Command } from 'commander'
import { type FixtureCounts, loadFixture } from '../fixtures/index.js'
import { type CliIo, CONNECTION_HELP, type ConnectionOptions, databaseUrl, say, withPool } from './context.js'

/** `dsta-db load <file…>`: Django's `loaddata`, every file in one transaction. */
export function loadCommand(program: Command, io: CliIo): void {
  program
    .command('load')
    .description('load JSON fixture files, all or nothing (Django: loaddata)')
    .argument('<files...>', 'fixture files, e.g. fixtures/sample_data.json')
    .option('--database-url <url>', CONNECTION_HELP)
    .action(async (files: string[], options: ConnectionOptions) => {
      const url = databaseUrl(options, io)
      const counts = await withPool(url, (pool) =>
        loadFixture(
          pool,
          files.map((file) => resolve(io.cwd, file)),
        ),
      )
      say(io, `Installed ${total(counts)} object(s) from ${files.length} fixture(s)${breakdown(counts)}`)
    })
}

const total = (counts: FixtureCounts) => Object.values(counts).reduce((sum, count) => sum + count, 0)

/** ` (2 candlesticks, 2 market_metrics)`, tables with rows only. */
export function breakdown(counts: FixtureCounts): string {
  const parts = Object.entries(counts).flatMap(([table, count]) => (count ? [`${count} ${table}`] : []))
  return parts.length ? ` (${parts.join(', ')})` : ''
}
