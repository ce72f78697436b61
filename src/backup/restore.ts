import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { createHistorySql, historyTableSql } from '../migrate/history.js'
import { discoverMigrations } from '../migrate/index.js'
import { connectTo } from './connect.js'
import { ArchiveError, type ArchiveHeader, FORMAT, type Frame, json, readFrames, VERSION } from './format.js'

export interface RestoreOptions {
  /** Folders of the migrations recorded in the archive besides the DSTA schema's (`--dir`). */
  dirs?: string[]
  /** Empty the target's tables first (in the same transaction) instead of refusing non-empty ones. */
  clean?: boolean
  /** Called after each piece of a table with the bytes written so far. */
  onProgress?: (progress: { table: string; bytes: number }) => void
}

export interface RestoreResult {
  /** `migrated`: the target was empty, and the recorded migrations were applied first; `checked`: it already had them. */
  schema: 'migrated' | 'checked'
  tables: { name: string; rows: number }[]
  migrations: number
  bytes: number
}

/**
 * Restores a dsta-db archive into the database at `url`, in one transaction: all or nothing.
 * Into an empty database it first applies the migrations the archive records (from the files,
 * checked by checksum) and writes their history rows as recorded; into a migrated one it checks the
 * history and every table's columns match. Tables must be empty unless `clean`.
 */
export async function restoreArchive(
  url: string,
  file: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const frames = readFrames(createReadStream(file).pipe(createGunzip()))[Symbol.asyncIterator]()
  const next = async (): Promise<Frame | undefined> => {
    try {
      const { value, done } = await frames.next()
      return done ? undefined : value
    } catch (error) {
      if (error instanceof ArchiveError) throw new ArchiveError(`${file}: ${error.message}`)
      if ((error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' || /unexpected end/i.test(String(error)))
        throw new ArchiveError(`${file} is cut short: it ends in the middle (an interrupted backup or copy?)`)
      if ((error as NodeJS.ErrnoException).code?.startsWith('Z_') || /incorrect header/i.test(String(error)))
        throw new ArchiveError(`${file} is damaged: ${(error as Error).message}`)
      throw error
    }
  }
  const first = await next()
  if (first?.type !== 'H') throw new ArchiveError(`${file} is not a dsta-db archive (no header)`)
  const header = json<ArchiveHeader>(first)
  if (header.format !== FORMAT || header.version !== VERSION)
    throw new ArchiveError(
      `${file} is a "${header.format}" archive of version ${header.version}: this dsta-db reads version ${VERSION}`,
    )
  const client = await connectTo(url)
  try {
    await client.query('BEGIN')
    const schema = await prepareSchema(client, header, options)
    await checkTables(client, header, !!options.clean)
    const tables: RestoreResult['tables'] = []
    let bytes = 0
    for (let item = await next(); item?.type !== 'Z'; item = await next()) {
      if (!item) throw new ArchiveError(`${file} is cut short: its end marker is missing`)
      if (item.type !== 'T')
        throw new ArchiveError(`${file} is damaged: a "${item.type}" frame where a table should begin`)
      const { table } = json<{ table: string }>(item)
      const columns = header.tables.find((t) => t.name === table)?.columns
      if (!columns) throw new ArchiveError(`${file} is damaged: table ${table} is not in its header`)
      let end: Frame | undefined
      async function* data(): AsyncGenerator<Buffer> {
        for (let piece = await next(); ; piece = await next()) {
          if (!piece) throw new ArchiveError(`${file} is cut short inside table ${table}`)
          if (piece.type !== 'D') {
            end = piece
            return
          }
          bytes += piece.payload.length
          yield piece.payload
          options.onProgress?.({ table, bytes })
        }
      }
      const names = columns.map((column) => client.escapeIdentifier(column.name)).join(', ')
      const copy = client.query(
        copyFrom(`COPY ${client.escapeIdentifier(table)} (${names}) FROM STDIN (FORMAT binary)`),
      )
      await pipeline(Readable.from(data()), copy)
      if (end?.type !== 'E') throw new ArchiveError(`${file} is damaged: table ${table} has no end`)
      const expected = json<{ rows: number }>(end).rows
      if (copy.rowCount !== expected)
        throw new ArchiveError(
          `${file}: table ${table} holds ${copy.rowCount} rows, the archive says ${expected}`,
        )
      tables.push({ name: table, rows: copy.rowCount })
    }
    for (const sequence of header.sequences)
      await client.query('SELECT setval($1::regclass, $2::bigint, $3)', [
        client.escapeIdentifier(sequence.name),
        sequence.lastValue,
        sequence.isCalled,
      ])
    await client.query('COMMIT')
    return { schema, tables, migrations: header.migrations.length, bytes }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    await client.end().catch(() => {})
    await frames.return?.(undefined).catch(() => {})
  }
}

/** An empty target gets the recorded migrations; a migrated one must have exactly them. */
async function prepareSchema(
  client: pg.Client,
  header: ArchiveHeader,
  options: RestoreOptions,
): Promise<'migrated' | 'checked'> {
  const table = historyTableSql(header.historyTable)
  const found = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [
    header.historyTable,
  ])
  const applied = found.rows[0]?.found
    ? (
        await client.query<{ version: number; name: string; checksum: string }>(
          `SELECT version, name, checksum FROM ${table} ORDER BY version`,
        )
      ).rows
    : []
  if (applied.length) {
    const key = (m: { version: number; name: string; checksum: string }) => `${m.name} ${m.checksum}`
    const have = applied.map(key).join('\n')
    const want = header.migrations.map(key).join('\n')
    if (have !== want) {
      const missing = header.migrations
        .filter((m) => !applied.some((a) => key(a) === key(m)))
        .map((m) => m.name)
      const extra = applied
        .filter((a) => !header.migrations.some((m) => key(a) === key(m)))
        .map((a) => a.name)
      throw new ArchiveError(
        `the target's migrations do not match the archive's: ${missing.length ? `archive only: ${missing.join(', ')}` : ''}` +
          `${missing.length && extra.length ? '; ' : ''}${extra.length ? `target only: ${extra.join(', ')}` : ''}. ` +
          'Migrate the target to the same migration first, or restore into an empty database.',
      )
    }
    return 'checked'
  }
  const existing = await client.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p')
        AND relname = ANY($1) ORDER BY 1`,
    [header.tables.map((t) => t.name)],
  )
  if (existing.rows.length)
    throw new ArchiveError(
      `the target has no migration history but already has ${existing.rows.map((r) => r.name).join(', ')}: ` +
        'restore into an empty database, or into one migrated as the archive was',
    )
  const files = await discoverMigrations({ dirs: options.dirs ?? [], historyTable: header.historyTable })
  for (const recorded of header.migrations) {
    const file = files.find((f) => f.version === recorded.version)
    if (!file)
      throw new ArchiveError(
        `the archive was made at migration ${recorded.name}, which is not among the migration files: pass its folder with --dir`,
      )
    if (file.checksum !== recorded.checksum || file.name !== recorded.name)
      throw new ArchiveError(
        `${file.upPath} differs from the ${recorded.name} the archive recorded (edited since?)`,
      )
    if (file.noTransaction)
      throw new ArchiveError(
        `${recorded.name} runs outside a transaction: run \`dsta-db migrate ${recorded.name}\` first, then restore`,
      )
    await client.query(file.upSql)
  }
  if (header.migrations.length) {
    await client.query(createHistorySql(table))
    for (const m of header.migrations)
      await client.query(
        `INSERT INTO ${table} (version, name, checksum, kind, applied_at, duration_ms, applied_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [m.version, m.name, m.checksum, m.kind, m.appliedAt, m.durationMs, m.appliedBy],
      )
  }
  return 'migrated'
}

/** Every archived table exists with the same columns and types; each is empty (or emptied with `clean`). */
async function checkTables(client: pg.Client, header: ArchiveHeader, clean: boolean): Promise<void> {
  for (const table of header.tables) {
    const { rows } = await client.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        ORDER BY a.attnum`,
      [client.escapeIdentifier(table.name)],
    )
    if (!rows.length)
      throw new ArchiveError(`table ${table.name} of the archive does not exist in the target`)
    for (const column of table.columns) {
      const there = rows.find((row) => row.name === column.name)
      if (!there)
        throw new ArchiveError(
          `table ${table.name}: column ${column.name} of the archive is missing in the target`,
        )
      if (there.type !== column.type)
        throw new ArchiveError(
          `table ${table.name}, column ${column.name}: ${column.type} in the archive, ${there.type} in the target`,
        )
    }
    const name = client.escapeIdentifier(table.name)
    if (clean) await client.query(`TRUNCATE ${name} CASCADE`)
    else if ((await client.query(`SELECT 1 FROM ${name} LIMIT 1`)).rows.length)
      throw new ArchiveError(
        `table ${table.name} of the target holds rows: restore adds to nothing; pass --clean to empty the tables first (in the same transaction)`,
      )
  }
}
