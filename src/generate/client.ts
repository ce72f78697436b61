import pg from 'pg'
import type { CommonQueryMethods } from 'slonik'
import { pgClientOf } from '../schema/pg-client.js'

/**
 * Where `generateTestData` can write: a Slonik pool or connection (even mid-transaction, such as the
 * `db` fixture), or a pg client.
 */
export type LoadTarget = CommonQueryMethods | pg.Client | pg.PoolClient

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
    return db.transaction(async (transaction) => work(await pgClientOf(transaction, 'generateTestData')))
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
