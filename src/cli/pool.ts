import { type DatabasePool, sql } from 'slonik'
import { createDstaPool } from '../schema/index.js'
import { redact } from '../server/address.js'
import { CliError, rootMessage } from './context.js'

/**
 * A pool for one command: no statement or idle-in-transaction timeouts (a load or a generate may
 * take minutes) and no retries that would hide a failure. Always ended, whatever happens.
 * Loaded only by the commands that talk to a database (it brings Slonik and zod).
 */
export async function withPool<T>(url: string, work: (pool: DatabasePool) => Promise<T>): Promise<T> {
  const unreachable = (error: unknown) =>
    new CliError(`cannot connect to ${redact(url)}: ${rootMessage(error)}`)
  const pool = await createDstaPool(url, {
    maximumPoolSize: 2,
    statementTimeout: 'DISABLE_TIMEOUT',
    idleInTransactionSessionTimeout: 'DISABLE_TIMEOUT',
    queryRetryLimit: 0,
    transactionRetryLimit: 0,
    connectionRetryLimit: 0,
    connectionTimeout: 10_000,
  }).catch((error: unknown) => {
    throw unreachable(error)
  })
  try {
    // fail early, with the address in the message, rather than in the middle of the command
    await pool.query(sql.unsafe`SELECT 1`).catch((error: unknown) => {
      throw unreachable(error)
    })
    return await work(pool)
  } finally {
    await pool.end()
  }
}
