import type { Command } from 'commander'
import { migrationStatus } from '../migrate/index.js'
import { TABLES, type TableName } from '../schema/index.js'
import {
  CliError,
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  say,
  withPool,
} from './context.js'
import { DIR_HELP, type DirOptions, migrationDirs } from './migrate.js'
import {
  type Check,
  duplicatesCheck,
  migrationsCheck,
  ohlcCheck,
  rowCounts,
  schemaCheck,
} from './verify-checks.js'

/** `dsta-db verify`: the guide's Verification and Data Issues sections as one command; exits 1 on any problem. */
export function verifyCommand(program: Command, io: CliIo): void {
  program
    .command('verify')
    .description(
      'check schema, migrations, row counts, duplicate candlesticks and OHLC sanity; exit 1 on a problem',
    )
    .option('--dir <dirs...>', DIR_HELP)
    .option('--database-url <url>', CONNECTION_HELP)
    .action(async (options: ConnectionOptions & DirOptions) => {
      const url = databaseUrl(options, io)
      const checks = await withPool(url, async (pool) => {
        const schema = await schemaCheck(pool)
        const migrations = migrationsCheck(await migrationStatus(url, { dirs: migrationDirs(options, io) }))
        const missing = new Set(
          schema.problems.flatMap((problem) => /^table (\w+) is missing/.exec(problem)?.[1] ?? []),
        )
        const tables = (Object.keys(TABLES) as TableName[]).filter((table) => !missing.has(table))
        const data = missing.has('candlesticks') ? [] : [await duplicatesCheck(pool), await ohlcCheck(pool)]
        return [schema, migrations, await rowCounts(pool, tables), ...data]
      })
      for (const check of checks) printCheck(check, io)
      const failed = checks.filter((check) => !check.ok)
      if (failed.length)
        throw new CliError(`verify found problems in: ${failed.map((check) => check.name).join(', ')}`)
      say(io, 'All checks passed.')
    })
}

function printCheck(check: Check, io: CliIo): void {
  say(io, `${check.ok ? '✓' : '✗'} ${check.name.padEnd(10)} ${check.summary}`)
  for (const problem of check.problems) say(io, `    ${problem}`)
}
