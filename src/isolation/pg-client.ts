import pg from 'pg'
import { type DatabaseTransactionConnection, sql } from 'slonik'

// Slonik keeps its pg client private and refuses several statements in one query. The file's
// savepoint steps need both (one round trip each), so we find the client once per file: a marker
// query sent through Slonik reports the client it ran on. Same technique as src/generate/client.ts.
const MARKER_COLUMN = 'dsta_db_isolation_client'
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

/** The pg client under a Slonik transaction connection. */
export async function pgClientOf(connection: DatabaseTransactionConnection): Promise<pg.Client> {
  installCapture()
  const token = `${process.pid}:${nextToken++}`
  await connection.query(sql.unsafe`SELECT ${token}::text AS dsta_db_isolation_client`)
  const client = captured.get(token)
  captured.delete(token)
  if (!client)
    throw new Error(
      'dsta-db could not reach the pg client under its Slonik connection: Slonik must use its pg driver and the same "pg" package as dsta-db',
    )
  return client
}
