import type { Command } from 'commander'
import { loadFixture, SAMPLE_DATA_FILE } from '../fixtures/index.js'
import { DEFAULT_END, DEFAULT_SEED, DEFAULT_SYMBOLS } from '../generate/index.js'
import { migrate } from '../migrate/index.js'
import { externalUrl, redact } from '../server/index.js'
import { ensureDatabase } from './admin.js'
import {
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  positiveNumber,
  say,
  wholeNumber,
  withPool,
} from './context.js'
import { generateInto } from './generate.js'
import { breakdown } from './load.js'
import { DIR_HELP, type DirOptions, migrationDirs, printResult, progress } from './migrate.js'

interface InitOptions extends ConnectionOptions, DirOptions {
  withSampleData?: boolean
  withTestData?: boolean
  days: number
  dbHost?: string
  dbPort?: number
  dbName?: string
  dbUser?: string
  dbPassword?: string
}

/** `dsta-db init`: the guide's `init_db.sh` — create the database if missing, migrate, optionally add data. */
export function initCommand(program: Command, io: CliIo): void {
  program
    .command('init')
    .description("create the database if missing, migrate it, optionally load data (the guide's init_db.sh)")
    .option('--with-sample-data', 'load fixtures/sample_data.json (2 candlesticks, 2 market metrics)')
    .option('--with-test-data', 'generate market data (see `dsta-db generate`)')
    .option('--days <n>', 'days of test data with --with-test-data', positiveNumber, 30)
    .option('--db-host <host>', 'server host (else DB_HOST)')
    .option('--db-port <port>', 'server port (else DB_PORT, 5432)', wholeNumber(1))
    .option('--db-name <name>', 'database name (else DB_NAME)')
    .option('--db-user <user>', 'user (else DB_USER)')
    .option('--db-password <password>', 'password (else DB_PASSWORD)')
    .option('--dir <dirs...>', DIR_HELP)
    .option('--database-url <url>', CONNECTION_HELP)
    .action(async (options: InitOptions) => {
      const url = databaseUrl({ databaseUrl: options.databaseUrl ?? guideUrl(options, io) }, io)
      const created = await ensureDatabase(url)
      say(io, `Database ${redact(url)}: ${created === 'created' ? 'created' : 'exists'}`)
      say(io, 'Running migrations:')
      printResult(await migrate(url, { dirs: migrationDirs(options, io), onEvent: progress(io) }), io)
      if (!options.withSampleData && !options.withTestData) return
      await withPool(url, async (pool) => {
        if (options.withSampleData) {
          const counts = await loadFixture(pool, SAMPLE_DATA_FILE)
          say(io, `Loaded the sample data${breakdown(counts)}`)
        }
        if (options.withTestData)
          await generateInto(
            pool,
            {
              days: options.days,
              symbols: [...DEFAULT_SYMBOLS],
              exchange: 'binance',
              seed: DEFAULT_SEED,
              end: DEFAULT_END,
            },
            io,
          )
      })
    })
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
