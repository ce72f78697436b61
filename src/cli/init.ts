import type { Command } from 'commander'
import { DEFAULT_SEED } from '../generate/defaults.js'
import { DEFAULT_END } from '../generate/time.js'
import { externalUrl, redact } from '../server/address.js'
import {
  CliError,
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  examples,
  positiveNumber,
  say,
  wholeNumber,
} from './context.js'
import { DEFAULT_SYMBOL_LIST, MAX_DAYS } from './generate.js'
import { DIR_HELP, type DirOptions, migrationDirs, printResult, withProgress } from './migrate.js'
import { type OutputOptions, printJson } from './output.js'
import { printChecks } from './verify.js'

interface InitOptions extends ConnectionOptions, DirOptions, OutputOptions {
  withSampleData?: boolean
  withTestData?: boolean
  withTests?: boolean
  days: number
  dbHost?: string
  dbPort?: number
  dbName?: string
  dbUser?: string
  dbPassword?: string
}

/** `dsta-db init`: the guide's `init_db.sh` — create the database if missing, migrate, optionally add data and check it. */
export function initCommand(program: Command, io: CliIo): void {
  program
    .command('init')
    .description("create the database if missing, migrate it, optionally load data (the guide's init_db.sh)")
    .option('--with-sample-data', 'load fixtures/sample_data.json (2 candlesticks, 2 market metrics)')
    .option('--with-test-data', 'generate market data (see `dsta-db generate`)')
    .option(
      '--with-tests',
      'then run the checks of `dsta-db verify`, the query plan included; exit 1 if one fails',
    )
    .option('--days <n>', 'days of test data with --with-test-data', positiveNumber(MAX_DAYS), 30)
    .option('--db-host <host>', 'server host (else DB_HOST)')
    .option('--db-port <port>', 'server port (else DB_PORT, 5432)', wholeNumber(1, 65535))
    .option('--db-name <name>', 'database name (else DB_NAME)')
    .option('--db-user <user>', 'user (else DB_USER)')
    .option('--db-password <password>', 'password (else DB_PASSWORD)')
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print what was done as JSON')
    .option('--dir <dirs...>', DIR_HELP)
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText(
      'after',
      examples(
        'dsta-db init --db-host localhost --db-name dsta_dev --db-user dsta --db-password dsta --with-sample-data',
        'dsta-db init --with-test-data --days 7 --with-tests',
      ),
    )
    .action(async (options: InitOptions) => {
      const guide = guideUrl(options, io)
      const url = databaseUrl(
        { databaseUrl: options.databaseUrl ?? guide },
        io,
        guide ? '--db-host / --db-port / --db-name' : undefined,
      )
      if (options.dbName !== undefined) checkName(options.dbName)
      const text = !options.json && !options.quiet
      const { ensureDatabase } = await import('./admin.js')
      const created = await ensureDatabase(url)
      if (text) say(io, `Database ${redact(url)}: ${created === 'created' ? 'created' : 'exists'}`)
      if (text) say(io, 'Running migrations:')
      const { migrate } = await import('../migrate/index.js')
      const migrated = await withProgress(io, options, (onEvent) =>
        migrate(url, { dirs: migrationDirs(options, io), onEvent }),
      )
      if (text) printResult(migrated, io)
      const report: Record<string, unknown> = {
        database: redact(url),
        created: created === 'created',
        migrated,
      }
      if (options.withSampleData || options.withTestData || options.withTests) {
        const { withPool } = await import('./pool.js')
        await withPool(url, async (pool) => {
          if (options.withSampleData) {
            const { loadFixture, SAMPLE_DATA_FILE } = await import('../fixtures/index.js')
            const counts = await loadFixture(pool, SAMPLE_DATA_FILE)
            const { breakdown } = await import('./load.js')
            if (text) say(io, `Loaded the sample data${breakdown(counts)}`)
            report.sampleData = counts
          }
          if (options.withTestData) {
            const { generateInto } = await import('./generate.js')
            report.testData = await generateInto(
              pool,
              {
                days: options.days,
                symbols: DEFAULT_SYMBOL_LIST,
                exchange: 'binance',
                seed: DEFAULT_SEED,
                end: DEFAULT_END,
                ...(options.quiet ? { quiet: true } : {}),
                ...(options.json ? { json: true } : {}),
              },
              io,
            )
          }
          if (options.withTests) {
            const { runChecks } = await import('./verify-run.js')
            const checks = await runChecks(pool, url, migrationDirs(options, io))
            report.checks = checks
            if (text) printChecks(checks, io)
            if (options.json) printJson(io, report)
            const failed = checks.filter((check) => !check.ok)
            if (failed.length)
              throw new CliError(
                `init --with-tests: checks failed: ${failed.map((check) => check.name).join(', ')}`,
              )
            if (text) say(io, 'All checks passed.')
          }
        })
      }
      if (options.json && !options.withTests) printJson(io, report)
    })
}

/** Names node-postgres cannot reach through an address (it reads the path with decodeURI): refused before anything is created. */
function checkName(name: string): void {
  const control = [...name].some((char) => (char.codePointAt(0) ?? 0) < 32)
  if (!name || name.length > 63 || control || /[/?#%\\]/.test(name))
    throw new CliError(
      `--db-name "${name}" cannot be used: a database name here is 1–63 characters without / ? # % \\ or control characters`,
      2,
    )
}

/** `--db-*` options over the `DB_*` variables, when any is given; they win over `DATABASE_URL`, as in init_db.sh. */
function guideUrl(options: InitOptions, io: CliIo): string | undefined {
  const given = [options.dbHost, options.dbPort, options.dbName, options.dbUser, options.dbPassword]
  if (given.every((value) => value === undefined)) return undefined
  const env: NodeJS.ProcessEnv = { ...io.env, DATABASE_URL: undefined }
  if (options.dbHost !== undefined) env.DB_HOST = options.dbHost
  if (options.dbPort !== undefined) env.DB_PORT = String(options.dbPort)
  if (options.dbName !== undefined) env.DB_NAME = options.dbName
  if (options.dbUser !== undefined) env.DB_USER = options.dbUser
  if (options.dbPassword !== undefined) env.DB_PASSWORD = options.dbPassword
  env.DB_HOST ??= 'localhost'
  return externalUrl(env)
}
