import type pg from 'pg'
import { MigrationError } from './errors.js'
import { displayPath } from './files.js'
import { lineAtPosition, splitStatements } from './split.js'

/** Indexes a failed `CREATE INDEX CONCURRENTLY` left behind, marked invalid in pg_index. */
export const INVALID_INDEXES_SQL = `SELECT i.indexrelid::regclass::text AS index, i.indrelid::regclass::text AS table
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`

// END is PostgreSQL's synonym for COMMIT; PREPARE TRANSACTION ends the transaction too.
const TRANSACTION_CONTROL = /^(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT|PREPARE\s+TRANSACTION)\b/i

export interface FileToRun {
  name: string
  path: string
  sql: string
}

/**
 * Runs a file in one transaction together with `record` (its history change): the text goes to the
 * server as written, through the simple query protocol, so `$1` in a PL/pgSQL body is never a
 * parameter. On failure everything is rolled back and the error names file and line.
 */
export async function runInTransaction(
  client: pg.Client,
  file: FileToRun,
  record: (durationMs: number) => Promise<void>,
): Promise<number> {
  const control = splitStatements(file.sql).find((statement) => TRANSACTION_CONTROL.test(statement.text))
  if (control)
    throw new MigrationError(
      'BAD_FILE',
      `${displayPath(file.path)}:${control.line}: remove "${control.text.split(/\s/)[0]}": each migration already ` +
        'runs in its own transaction. A file that must run outside one starts with -- dsta:no-transaction.',
      { file: file.path, line: control.line },
    )
  await client.query('BEGIN')
  const started = performance.now()
  try {
    await client.query(file.sql)
  } catch (error) {
    await client.query('ROLLBACK')
    const line = await locate(client, file.sql, error)
    throw statementError(
      file,
      error,
      line,
      `Nothing of ${file.name} was applied and the history is unchanged.`,
    )
  }
  const durationMs = performance.now() - started
  try {
    await record(durationMs) // a failure here is ours (the history table), not the file's
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  }
  return durationMs
}

/**
 * Runs a `-- dsta:no-transaction` file one statement at a time, with no transaction open on the
 * session (a multi-statement string would be wrapped in an implicit one, which `CREATE INDEX
 * CONCURRENTLY` refuses). The history row is written only once every statement succeeded.
 */
export async function runWithoutTransaction(client: pg.Client, file: FileToRun): Promise<number> {
  const statements = splitStatements(file.sql)
  const started = performance.now()
  for (const [index, statement] of statements.entries()) {
    try {
      await client.query(statement.text)
    } catch (error) {
      const position = positionOf(error)
      const line =
        statement.line + (position === undefined ? 0 : lineAtPosition(statement.text, position) - 1)
      const done =
        index === 0
          ? 'No statement of it had run.'
          : `Its first ${index} statement${index > 1 ? 's' : ''} (of ${statements.length}) stayed applied: ` +
            'make them safe to run again (IF NOT EXISTS) or undo them by hand.'
      const invalid = (await client.query<{ index: string }>(INVALID_INDEXES_SQL)).rows.map(
        (row) => row.index,
      )
      const cleanup =
        invalid.length > 0
          ? ` The failed build left invalid index${invalid.length > 1 ? 'es' : ''} ${invalid.join(', ')}: ` +
            `DROP INDEX CONCURRENTLY ${invalid[0]}; then run again.`
          : ''
      throw statementError(
        file,
        error,
        line,
        `${file.name} ran outside a transaction and is not recorded. ${done}${cleanup}`,
      )
    }
  }
  return performance.now() - started
}

function statementError(
  file: FileToRun,
  error: unknown,
  line: number | undefined,
  after: string,
): MigrationError {
  const pgError = error as { message?: string; detail?: string; hint?: string; code?: string }
  // 42P07 relation, 42710 object, 42P06 schema, 42723 function "already exists": a schema made before
  const exists = /^(42P07|42710|42P06|42723)$/.test(pgError.code ?? '')
    ? `\n  hint: the schema seems to exist already (made by hand or by another tool). If it matches ${file.name}, ` +
      `record it without running the file: \`dsta-db migrate ${file.name} --fake\` (API: fake), or ` +
      `\`dsta-db migrate --baseline ${file.name}\` (API: baseline) to mark every migration up to it.`
    : ''
  const where = line === undefined ? displayPath(file.path) : `${displayPath(file.path)}:${line}`
  const detail = pgError.detail ? `\n  detail: ${pgError.detail}` : ''
  const hint = pgError.hint ? `\n  hint: ${pgError.hint}` : ''
  return new MigrationError(
    'STATEMENT',
    `${where}: ${pgError.message ?? String(error)}${detail}${hint}${exists}\n${after}`,
    {
      file: file.path,
      ...(line === undefined ? {} : { line }),
      cause: error,
    },
  )
}

function positionOf(error: unknown): number | undefined {
  const position = Number((error as { position?: string }).position)
  return Number.isInteger(position) && position > 0 ? position : undefined
}

/**
 * The line of a failing statement. The server's `position` says it when the error has one (syntax,
 * unknown names). Errors raised while running (a CHECK violated, division by zero) carry none: then
 * the statements are replayed one by one in a transaction that is rolled back, to find which failed.
 */
async function locate(client: pg.Client, sql: string, error: unknown): Promise<number | undefined> {
  const position = positionOf(error)
  if (position !== undefined) return lineAtPosition(sql, position)
  const statements = splitStatements(sql)
  if (statements.length <= 1) return statements[0]?.line
  const code = (error as { code?: string }).code
  await client.query('BEGIN')
  try {
    await client.query("SET LOCAL statement_timeout = '10s'")
    for (const statement of statements) {
      try {
        await client.query(statement.text)
      } catch (replayed) {
        return (replayed as { code?: string }).code === code ? statement.line : undefined
      }
    }
    return undefined
  } finally {
    await client.query('ROLLBACK')
  }
}
