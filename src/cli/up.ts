import { type Command, Option } from 'commander'
import { sql } from 'slonik'
import { z } from 'zod'
import { loadFixture, SAMPLE_DATA_FILE } from '../fixtures/index.js'
import { migrate } from '../migrate/index.js'
import { TABLES } from '../schema/index.js'
import { redact, type StartedPostgres, startPostgres } from '../server/index.js'
import { ensureDatabase } from './admin.js'
import { CliError, type CliIo, say, wholeNumber, withPool } from './context.js'
import { breakdown } from './load.js'
import { DIR_HELP, type DirOptions, migrationDirs, printResult, progress } from './migrate.js'

interface UpOptions extends DirOptions {
  demo?: boolean
  port?: number
  provider: 'auto' | 'embedded' | 'container' | 'external'
  binDir?: string
  image?: string
  database: string
  snapshot?: string
}

/** `dsta-db up`: a migrated DSTA database on a server of its own, until Ctrl-C; `--demo` shows it and stops. */
export function upCommand(program: Command, io: CliIo): void {
  program
    .command('up')
    .description('start PostgreSQL (embedded: no Docker), migrate, print DATABASE_URL and run until Ctrl-C')
    .option('--demo', 'also load the sample data, print the tables, then stop: a tour in one command')
    .option('--port <n>', 'TCP port on 127.0.0.1 (default: a free one)', wholeNumber(1))
    .addOption(
      new Option('--provider <name>', 'where the server comes from')
        .choices(['auto', 'embedded', 'container', 'external'])
        .default('embedded'),
    )
    .option('--bin-dir <dir>', 'a folder with initdb and postgres to use instead of the npm binaries')
    .option(
      '--image <name>',
      'image for --provider container (default: DSTA_DB_IMAGE, else postgres:<major>-alpine)',
    )
    .option('--database <name>', 'name of the database to create on the server', 'dsta')
    .option('--dir <dirs...>', DIR_HELP)
    .option(
      '--snapshot <name>',
      'start from a saved snapshot, e.g. "kept": the databases a failed test run kept',
    )
    .action(async (options: UpOptions) => {
      const server = await startPostgres({
        provider: options.provider,
        env: io.env,
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.binDir === undefined ? {} : { binDir: options.binDir }),
        ...(options.image === undefined ? {} : { image: options.image }),
        ...(options.snapshot === undefined ? {} : { snapshot: options.snapshot }),
      })
      try {
        say(io, `PostgreSQL ${server.version} (${server.provider}) is up`)
        if (options.snapshot !== undefined) return await serveSnapshot(server, options.snapshot, io)
        const url = server.provider === 'external' ? server.url : withDatabase(server.url, options.database)
        if (server.provider !== 'external') await ensureDatabase(url)
        printResult(await migrate(url, { dirs: migrationDirs(options, io), onEvent: progress(io) }), io)
        if (options.demo) return await demo(url, io)
        say(io, `DATABASE_URL=${redact(url)}`)
        say(io, 'Ready. Press Ctrl-C to stop.')
        await stopped(io.signal)
        say(io, 'Stopping…')
      } finally {
        await server.stop()
      }
    })
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${encodeURIComponent(name)}`
  return url.toString()
}

/**
 * Resolves when `signal` aborts, or on SIGINT / SIGTERM when there is no signal. A timer keeps the
 * process alive meanwhile: the server is another process, and a pending promise alone is not enough.
 */
async function stopped(signal: AbortSignal | undefined): Promise<void> {
  const keepAlive = setInterval(() => {}, 2 ** 30)
  try {
    await new Promise<void>((resolve) => {
      if (signal) {
        if (signal.aborted) resolve()
        signal.addEventListener('abort', () => resolve(), { once: true })
        return
      }
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolve()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
  } finally {
    clearInterval(keepAlive)
  }
}

const Latest = z.object({ symbol: z.string(), timestamp: z.date(), close_price: z.string() })
const TableRow = z.object({ table: z.string(), columns: z.number(), indexes: z.string(), rows: z.number() })

/** Loads the sample data and prints each table: columns, indexes, rows. */
async function demo(url: string, io: CliIo): Promise<void> {
  await withPool(url, async (pool) => {
    const counts = await loadFixture(pool, SAMPLE_DATA_FILE)
    say(io, `Loaded the sample data${breakdown(counts)}`)
    say(io)
    for (const table of Object.keys(TABLES)) {
      const row = await pool.one(sql.type(TableRow)`
        SELECT ${table}::text AS table,
               (SELECT count(*)::int FROM pg_attribute WHERE attrelid = ${table}::regclass AND attnum > 0 AND NOT attisdropped) AS columns,
               (SELECT coalesce(string_agg(indexrelid::regclass::text, ', ' ORDER BY indexrelid::regclass::text), '')
                  FROM pg_index WHERE indrelid = ${table}::regclass) AS indexes,
               (SELECT count(*)::int FROM ${sql.identifier([table])}) AS rows`)
      say(
        io,
        `${row.table.padEnd(15)} ${String(row.columns).padStart(2)} columns  ${String(row.rows).padStart(2)} rows`,
      )
      say(io, `  indexes: ${row.indexes}`)
    }
    say(io)
    const latest = await pool.maybeOne(
      sql.type(
        Latest,
      )`SELECT symbol, "timestamp", trim_scale(close_price)::text AS close_price FROM candlesticks ORDER BY "timestamp" DESC, symbol LIMIT 1`,
    )
    if (latest)
      say(
        io,
        `Latest candlestick: ${latest.symbol} @ ${latest.timestamp.toISOString()}: $${latest.close_price}`,
      )
    say(io, 'Demo done: the server is stopped. `dsta-db up` keeps one running and prints its DATABASE_URL.')
  })
}

/** `up --snapshot`: the databases of a saved snapshot, as they were, until Ctrl-C. Saves nothing back. */
async function serveSnapshot(server: StartedPostgres, name: string, io: CliIo): Promise<void> {
  if (!server.fromSnapshot)
    throw new CliError(
      `no snapshot "${name}" for these binaries (a test run saves "kept" when a database-isolation file failed)`,
    )
  const databases = await withPool(server.url, (pool) =>
    pool.anyFirst(sql.type(z.object({ datname: z.string() }))`
      SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY datname`),
  )
  for (const database of databases) say(io, `${database}: ${redact(withDatabase(server.url, database))}`)
  say(io, 'Ready. Press Ctrl-C to stop (the snapshot stays as it was).')
  await stopped(io.signal)
  say(io, 'Stopping…')
}
