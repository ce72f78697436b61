import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import type pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import { DEFAULT_HISTORY_TABLE } from '../migrate/index.js'
import { connectTo } from './connect.js'
import {
  type ArchiveHeader,
  type ArchiveMigration,
  type ArchiveTable,
  FORMAT,
  frame,
  VERSION,
} from './format.js'

export interface BackupOptions {
  /** The migration history table; default `dsta_migrations`. */
  historyTable?: string
  /** gzip level 0–9; default 6, as `pg_dump -Fc`. */
  compression?: number
  /** Called after each piece of a table with the table and the bytes read from the server so far. */
  onProgress?: (progress: { table: string; bytes: number; tablesDone: number; tables: number }) => void
}

export interface BackupResult {
  file: string
  tables: { name: string; rows: number }[]
  migrations: number
  /** Bytes of COPY data read from the server (before compression). */
  bytes: number
}

/** The four tables first, in the order a restore loads them; any other table of the schema after. */
const ORDER = ['candlesticks', 'trades', 'order_books', 'market_metrics']

/**
 * Writes an archive of the database at `url` to `file`: the migration history, then every table of
 * the current schema as binary COPY, read in one repeatable-read snapshot. Works on any server and
 * provider (no pg_dump needed). The file appears whole or not at all (written beside, then renamed).
 */
export async function writeArchive(
  url: string,
  file: string,
  options: BackupOptions = {},
): Promise<BackupResult> {
  const client = await connectTo(url)
  const temporary = `${file}.partial-${process.pid}`
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY')
    const header = await readHeader(client, options.historyTable ?? DEFAULT_HISTORY_TABLE)
    const tables: BackupResult['tables'] = []
    let bytes = 0
    async function* frames(): AsyncGenerator<Buffer> {
      yield frame('H', header)
      for (const table of header.tables) {
        yield frame('T', { table: table.name })
        const columns = table.columns.map((column) => client.escapeIdentifier(column.name)).join(', ')
        const stream = client.query(
          copyTo(`COPY ${client.escapeIdentifier(table.name)} (${columns}) TO STDOUT (FORMAT binary)`),
        )
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          bytes += chunk.length
          yield frame('D', chunk)
          options.onProgress?.({
            table: table.name,
            bytes,
            tablesDone: tables.length,
            tables: header.tables.length,
          })
        }
        tables.push({ name: table.name, rows: stream.rowCount })
        yield frame('E', { rows: stream.rowCount })
      }
      yield frame('Z', { tables: header.tables.length })
    }
    await pipeline(frames, createGzip({ level: options.compression ?? 6 }), createWriteStream(temporary))
    await client.query('COMMIT')
    await rename(temporary, file)
    return { file, tables, migrations: header.migrations.length, bytes }
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  } finally {
    await client.end().catch(() => {})
  }
}

async function readHeader(client: pg.Client, historyTable: string): Promise<ArchiveHeader> {
  const info = await client.query<{ server: string; database: string }>(
    `SELECT current_setting('server_version') AS server, current_database() AS database`,
  )
  const history = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [
    historyTable,
  ])
  const migrations = history.rows[0]?.found
    ? (
        await client.query<ArchiveMigration>(
          `SELECT version, name, checksum, kind, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "appliedAt",
                  duration_ms AS "durationMs", applied_by AS "appliedBy"
             FROM ${historyTable
               .split('.')
               .map((part) => `"${part}"`)
               .join('.')} ORDER BY version`,
        )
      ).rows
    : []
  const bare = historyTable.split('.').at(-1)
  const columns = await client.query<{ table: string; name: string; type: string }>(
    `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
        AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' AND c.relname <> $1
      ORDER BY c.relname, a.attnum`,
    [bare],
  )
  const tables = new Map<string, ArchiveTable>()
  for (const row of columns.rows) {
    const table = tables.get(row.table) ?? { name: row.table, columns: [] }
    table.columns.push({ name: row.name, type: row.type })
    tables.set(row.table, table)
  }
  const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length)
  const sequences = await client.query<{ name: string; lastValue: string; isCalled: boolean }>(
    `SELECT sequencename AS name, coalesce(last_value, start_value)::text AS "lastValue", last_value IS NOT NULL AS "isCalled"
       FROM pg_sequences WHERE schemaname = current_schema() ORDER BY sequencename`,
  )
  return {
    format: FORMAT,
    version: VERSION,
    server: info.rows[0]?.server ?? '',
    database: info.rows[0]?.database ?? '',
    historyTable,
    migrations,
    tables: [...tables.values()].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name)),
    sequences: sequences.rows,
  }
}
