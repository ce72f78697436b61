import pg from 'pg'
import {
  type DatabasePool,
  type DatabasePoolConnection,
  type DatabaseTransactionConnection,
  sql,
} from 'slonik'

/** Where `generateTestData` can write: a Slonik pool or connection (even mid-transaction), or a pg client. */
export type LoadTarget =
  | DatabasePool
  | DatabasePoolConnection
  | DatabaseTransactionConnection
  | pg.Client
  | pg.PoolClient

/**
 * Slonik has no COPY and keeps its `pg` client private. To COPY inside the caller's own transaction
 * we find that client: `Client.prototype.query` is wrapped once so that a marker query, sent through
 * the Slonik connection, reports the client it ran on. Every other query passes straight through.
 * This relies on Slonik's pg driver using the same `pg` module as this package (npm dedupes it).
 */
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

async function clientOf(connection: DatabaseTransactionConnection): Promise<pg.Client> {
  installCapture()
  const token = `dsta-db:${process.pid}:${nextToken++}`
  await connection.query(sql.unsafe`SELECT ${token}::text AS dsta_db_pg_client`)
  const client = captured.get(token)
  captured.delete(token)
  if (!client)
    throw new Error(
      'generateTestData could not reach the pg client under this Slonik connection (is Slonik using its pg driver ' +
        'and the same "pg" package as dsta-db?). Pass a pg.Client instead.',
    )
  return client
}

function isPgClient(db: LoadTarget): db is pg.Client {
  return db instanceof pg.Client
}

/**
 * Runs `work` with a pg client inside a transaction that is rolled back if `work` throws: a Slonik
 * pool or connection gets `db.transaction()` (a savepoint when already in one); a pg client gets a
 * SAVEPOINT when it is in a transaction, else BEGIN … COMMIT.
 */
export async function withLoadClient<T>(db: LoadTarget, work: (client: pg.Client) => Promise<T>): Promise<T> {
  if (isPgClient(db)) return inPgTransaction(db, work)
  if ('transaction' in db && typeof db.transaction === 'function')
    return db.transaction(async (transaction) => work(await clientOf(transaction)))
  throw new TypeError('generateTestData needs a Slonik pool or connection, or a pg.Client / pg.PoolClient')
}

async function inPgTransaction<T>(client: pg.Client, work: (client: pg.Client) => Promise<T>): Promise<T> {
  let nested = true
  try {
    await client.query('SAVEPOINT dsta_db_generate')
  } catch (error) {
    if ((error as { code?: string }).code !== '25P01') throw error // 25P01: not in a transaction block
    nested = false
    await client.query('BEGIN')
  }
  try {
    const result = await work(client)
    await client.query(nested ? 'RELEASE SAVEPOINT dsta_db_generate' : 'COMMIT')
    return result
  } catch (error) {
    await client.query(nested ? 'ROLLBACK TO SAVEPOINT dsta_db_generate' : 'ROLLBACK').catch(() => {})
    throw error
  }
}
