import type { Command } from 'commander'
import {
  CliError,
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  examples,
  say,
} from './context.js'
import { DIR_HELP, type DirOptions, migrationDirs } from './migrate.js'
import { type OutputOptions, paint, printJson } from './output.js'
import type { Check } from './verify-checks.js'

/** `dsta-db verify`: the guide's Verification, Data Issues and Analyze Queries as one command; exits 1 on any problem. */
export function verifyCommand(program: Command, io: CliIo): void {
  program
    .command('verify')
    .description(
      "check schema, migrations, row counts, duplicate candlesticks, OHLC sanity and the guide's query plan; exit 1 on a problem",
    )
    .option('--json', 'print the checks as JSON')
    .option('--dir <dirs...>', DIR_HELP)
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText(
      'after',
      examples(
        'DATABASE_URL=postgresql://dsta:dsta@localhost:5432/dsta_dev dsta-db verify',
        'dsta-db verify --json',
      ),
    )
    .action(async (options: ConnectionOptions & DirOptions & OutputOptions) => {
      const url = databaseUrl(options, io)
      const { withPool } = await import('./pool.js')
      const { runChecks } = await import('./verify-run.js')
      const checks = await withPool(url, (pool) => runChecks(pool, url, migrationDirs(options, io)))
      const failed = checks.filter((check) => !check.ok)
      if (options.json) printJson(io, { ok: failed.length === 0, checks })
      else printChecks(checks, io)
      if (failed.length)
        throw new CliError(`verify found problems in: ${failed.map((check) => check.name).join(', ')}`)
      if (!options.json) say(io, 'All checks passed.')
    })
}

/** `✓ schema     4 of 4 tables …`, then the problems of a failed check, indented. */
export function printChecks(checks: Check[], io: CliIo): void {
  for (const check of checks) {
    const mark = check.ok ? paint(io, 'green', '✓') : paint(io, 'red', '✗')
    say(io, `${mark} ${check.name.padEnd(10)} ${check.summary}`)
    for (const problem of check.problems) say(io, `    ${problem}`)
  }
}
