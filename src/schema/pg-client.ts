import pg from 'pg'
import type { DatabaseTransactionConnection } from 'slonik'
import { slonik } from './slonik.js'

// Slonik keeps its pg client private, has no COPY and refuses several statements in one query.
// The COPY loader and the test savepoints need the client itself: `Client.prototype.query` is wrapped
// once so that a marker query, sent through the Slonik connection, reports the client it ran on.
// Every other query passes straight through. This relies on Slonik's pg driver using the same `pg`
// module as this package (npm dedupes it).
const MARKER_COLUMN = 'dsta_db_pg_client'
const captured = new Map<string, pg.Client>()
let installed = false
let nextToken = 0

function installCapture(): void {
  if (installed) return
  installed = true
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [text, values] = args
    if (typeof text === 'string' && text.includes(MARKER_COLUMN) && Array.isArray(values))
      captured.set(String(values[0]), this)
    return Reflect.apply(original, this, args)
  } as typeof pg.Client.prototype.query
}

/** The pg client under a Slonik transaction connection; `who` names the caller in the error. */
export async function pgClientOf(
  connection: DatabaseTransactionConnection,
  who = 'dsta-db',
): Promise<pg.Client> {
  installCapture()
  const token = `${process.pid}:${nextToken++}`
  const { sql } = await slonik()
  await connection.query(sql.unsafe`SELECT ${token}::text AS dsta_db_pg_client`)
  const client = captured.get(token)
  captured.delete(token)
  if (!client)
    throw new Error(
      `${who} could not reach the pg client under its Slonik connection: Slonik must use its pg driver ` +
        'and the same "pg" package as dsta-db',
    )
  return client
}
