import type { CommonQueryMethods, DatabaseTransactionConnection } from 'slonik'
import { linkDriverFactory } from '../schema/client-driver.js'
import { createDstaPool } from '../schema/pool.js'
import type { Link } from './link.js'
import type { SuiteTransaction } from './suite.js'

const ROLLBACK = Symbol('dsta-db: release the held Slonik connection')

/** Slonik over the file's transaction: `connection` for tests, `fileConnection` for file-level code. */
export interface SuiteSlonik {
  connection: DatabaseTransactionConnection
  fileConnection: DatabaseTransactionConnection
  /** Lets go of the held connection; the file's transaction itself is the suite's to end. */
  end(): Promise<void>
}

/**
 * A Slonik pool whose one connection is the suite's pg client (see client-driver.ts), held in a
 * Slonik transaction for the whole file, so `transaction()` makes savepoints. Slonik commits a
 * transaction whose handler returns and destroys a connection whose handler throws, so the handler
 * waits until `end()`, throws a sentinel, and `connect` catches it; the driver does not send the
 * outermost START TRANSACTION / ROLLBACK, since the suite holds the real transaction.
 */
export async function suiteSlonik(suite: SuiteTransaction, url: string): Promise<SuiteSlonik> {
  const hold = { closing: false }
  const pool = await createDstaPool(url, {
    driverFactory: linkDriverFactory(suite.testLink, hold),
    maximumPoolSize: 1,
    idleTimeout: 'DISABLE_TIMEOUT',
    idleInTransactionSessionTimeout: 'DISABLE_TIMEOUT',
    statementTimeout: 'DISABLE_TIMEOUT',
    connectionTimeout: 'DISABLE_TIMEOUT',
    queryRetryLimit: 0,
    transactionRetryLimit: 0,
    resetConnection: async () => {},
  })
  let release: () => void = () => {}
  const released = new Promise<void>((done) => {
    release = done
  })
  let finished: Promise<void> = Promise.resolve()
  const connection = await new Promise<DatabaseTransactionConnection>((resolve, reject) => {
    finished = pool
      .connect(async (pooled) => {
        try {
          await pooled.transaction(async (transaction) => {
            resolve(transaction)
            await released
            hold.closing = true
            throw ROLLBACK
          })
        } catch (error) {
          if (error !== ROLLBACK) throw error
        }
      })
      .catch(reject)
  })
  return {
    connection,
    fileConnection: fileLevel(connection, suite.fileLink),
    async end() {
      release()
      await finished
      await pool.end()
    },
  }
}

const QUERY_METHODS = new Set<keyof CommonQueryMethods>([
  'any',
  'anyFirst',
  'exists',
  'many',
  'manyFirst',
  'maybeOne',
  'maybeOneFirst',
  'one',
  'oneFirst',
  'query',
  'stream',
  'transaction',
])

/** `connection`, but every query first sends what `link` needs sent (a deferred test rollback). */
function fileLevel(connection: DatabaseTransactionConnection, link: Link): DatabaseTransactionConnection {
  return new Proxy(connection, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || !QUERY_METHODS.has(property as keyof CommonQueryMethods))
        return value
      return async (...args: unknown[]) => {
        await link.before()
        return Reflect.apply(value, target, args)
      }
    },
  })
}
