import { rename, rm, stat, writeFile } from 'node:fs/promises'
import type pg from 'pg'
import { DEFAULT_HISTORY_TABLE } from '../migrate/index.js'
import { connectTo } from './connect.js'
import { ArchiveError } from './format.js'
import { type PgTool, run, splitPassword } from './pg-tools.js'

/** `pg_dump -Fc` of the whole database into `file` (written beside, then renamed into place). */
export async function pgDumpBackup(
  url: string,
  file: string,
  tool: PgTool,
  compression = 6,
): Promise<{ file: string; bytes: number }> {
  const temporary = `${file}.partial-${process.pid}`
  const { url: address, env } = splitPassword(url)
  try {
    await run(tool.path, ['-Fc', `-Z${compression}`, '--no-owner', '-f', temporary, '-d', address], env)
    await rename(temporary, file)
    return { file, bytes: (await stat(file)).size }
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}

/**
 * Restores a pg_dump archive with pg_restore, in one transaction (`--single-transaction
 * --exit-on-error`). Into an empty database: everything, the schema and its migration history
 * included. Into a migrated one: its history must match the archive's, its tables must be empty, and
 * only the rows are restored (`--data-only`).
 */
export async function pgRestore(
  url: string,
  file: string,
  tool: PgTool,
  historyTable = DEFAULT_HISTORY_TABLE,
): Promise<{ schema: 'migrated' | 'checked' }> {
  const { url: address, env } = splitPassword(url)
  const base = ['--no-owner', '--single-transaction', '--exit-on-error', '-d', address]
  const client = await connectTo(url)
  let applied: string[]
  let tables: string[]
  try {
    applied = await historyOf(client, historyTable)
    tables = await tablesOf(client)
    if (applied.length && (await anyRows(client, tables)))
      throw new ArchiveError(
        'the target tables hold rows: empty them first (`dsta-db flush --yes`); --clean works with dsta-db archives only',
      )
  } finally {
    await client.end().catch(() => {})
  }
  if (!applied.length) {
    if (tables.length)
      throw new ArchiveError(
        `the target has no migration history but already has ${tables.join(', ')}: restore into an empty database`,
      )
    await run(tool.path, [...base, file], env)
    return { schema: 'migrated' }
  }
  const recorded = await archivedHistory(tool, file, historyTable)
  if (recorded.join('\n') !== applied.join('\n'))
    throw new ArchiveError(
      `the target's migrations (${applied.map((m) => m.split(' ')[0]).join(', ') || 'none'}) do not match the archive's ` +
        `(${recorded.map((m) => m.split(' ')[0]).join(', ') || 'none'}): migrate the target to the same migration first`,
    )
  // the rows of every table but the history, which the target has already
  const bare = historyTable.split('.').at(-1) as string
  const list = (await run(tool.path, ['-l', file], env))
    .split('\n')
    .filter((line) => !new RegExp(`TABLE DATA \\S+ ${bare} `).test(line))
    .join('\n')
  const listFile = `${file}.list-${process.pid}`
  await writeFile(listFile, list)
  try {
    await run(tool.path, [...base, '--data-only', '-L', listFile, file], env)
  } finally {
    await rm(listFile, { force: true })
  }
  return { schema: 'checked' }
}

/** `name checksum` of each recorded migration, in order. */
async function historyOf(client: pg.Client, table: string): Promise<string[]> {
  const found = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [table])
  if (!found.rows[0]?.found) return []
  const quoted = table
    .split('.')
    .map((part) => client.escapeIdentifier(part))
    .join('.')
  const { rows } = await client.query<{ line: string }>(
    `SELECT name || ' ' || checksum AS line FROM ${quoted} ORDER BY version`,
  )
  return rows.map((row) => row.line)
}

async function tablesOf(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') ORDER BY 1`,
  )
  return rows.map((row) => row.name)
}

async function anyRows(client: pg.Client, tables: string[]): Promise<boolean> {
  for (const table of tables) {
    if (table === DEFAULT_HISTORY_TABLE) continue
    if ((await client.query(`SELECT 1 FROM ${client.escapeIdentifier(table)} LIMIT 1`)).rows.length)
      return true
  }
  return false
}

/** The history rows inside a pg_dump archive (its COPY text: version, name, checksum, …). */
async function archivedHistory(tool: PgTool, file: string, historyTable: string): Promise<string[]> {
  const bare = historyTable.split('.').at(-1) as string
  const text = await run(tool.path, ['-f', '-', '--data-only', '-t', bare, file])
  const lines: string[] = []
  let inside = false
  for (const line of text.split('\n')) {
    if (line.startsWith('COPY ')) inside = true
    else if (line === '\\.') inside = false
    else if (inside) {
      const [, name, checksum] = line.split('\t')
      lines.push(`${name} ${checksum}`)
    }
  }
  return lines
}
