import { sql } from 'slonik'
import { z } from 'zod'
import { loadFixture, SAMPLE_DATA_FILE } from '../fixtures/index.js'
import { TABLES } from '../schema/index.js'
import { redact, type StartedPostgres } from '../server/index.js'
import { CliError, type CliIo, say } from './context.js'
import { breakdown } from './load.js'
import { withPool } from './pool.js'
import { stopped, withDatabase } from './up.js'

// `up --demo` and `up --snapshot`: loaded only when asked for.

const Latest = z.object({ symbol: z.string(), timestamp: z.date(), close_price: z.string() })
const TableRow = z.object({ table: z.string(), columns: z.number(), indexes: z.string(), rows: z.number() })

/** Loads the sample data and prints each table: columns, indexes, rows. */
export async function demo(url: string, io: CliIo): Promise<void> {
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

/**
 * `up --snapshot`: the databases of a saved snapshot, as they were, until Ctrl-C (undefined) or the
 * server is gone (`gone`'s reason). Saves nothing back.
 */
export async function serveSnapshot(
  server: StartedPostgres,
  name: string,
  io: CliIo,
  gone: Promise<string>,
): Promise<string | undefined> {
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
  const reason = await stopped(io.signal, gone)
  if (reason === undefined) say(io, 'Stopping…')
  return reason
}
