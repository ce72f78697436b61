import type pg from 'pg'
import type { CommonQueryMethods, DatabasePool, DatabaseTransactionConnection } from 'slonik'
import { pgClientOf } from '../schema/pg-client.js'
import { SequenceGuard } from './sequences.js'

const ROLLBACK = Symbol('dsta-db: roll the suite transaction back')
const UNDO_TEST = 'ROLLBACK TO SAVEPOINT dsta_test; RELEASE SAVEPOINT dsta_test'

/**
 * A transaction held open on one connection for a whole test file, with a savepoint per test.
 * A test's rollback is deferred and sent with the next test's SAVEPOINT: one round trip per test.
 * Anything the file does between tests goes through `fileConnection`, which first sends a deferred
 * rollback, so file-level code never sees a finished test's rows.
 */
export class SuiteTransaction {
  /** The connection tests use: inside the file's transaction, `transaction()` makes savepoints. */
  readonly connection: DatabaseTransactionConnection
  /** The same connection for file-level set-up (e.g. `beforeAll`): data made here is seen by every test. */
  readonly fileConnection: DatabaseTransactionConnection
  readonly #client: pg.Client
  readonly #sequences: SequenceGuard
  readonly #end: () => Promise<void>
  #values: (string | null)[] | undefined // sequence values at the start of the current or next test
  #undo: (string | null)[] | undefined // a finished test whose savepoint is not rolled back yet

  private constructor(
    connection: DatabaseTransactionConnection,
    client: pg.Client,
    sequences: SequenceGuard,
    end: () => Promise<void>,
  ) {
    this.connection = connection
    this.#client = client
    this.#sequences = sequences
    this.#end = end
    this.fileConnection = fileLevel(connection, () => this.settle())
  }

  /** Opens the test's savepoint (and rolls back the previous test's, in the same round trip). */
  async beginTest(): Promise<void> {
    const steps = this.#undo ? [UNDO_TEST, this.#sequences.restoreSql(this.#undo)] : []
    const read = this.#values === undefined
    if (read) steps.push(this.#sequences.readSql())
    steps.push('SAVEPOINT dsta_test')
    const results = [(await this.#client.query(steps.join('; '))) as unknown as pg.QueryResult[]].flat()
    if (read) this.#values = this.#sequences.values(results.at(-2) as pg.QueryResult)
    this.#undo = undefined
  }

  /** Marks the test finished: its rows and used-up ids are undone before anything else runs here. */
  endTest(): void {
    this.#undo = this.#values ?? []
  }

  /** Sends a deferred rollback now; the next test re-reads sequence values (file code may move them). */
  async settle(): Promise<void> {
    const undo = this.#undo
    this.#undo = undefined
    this.#values = undefined
    if (undo) await this.#client.query(`${UNDO_TEST}; ${this.#sequences.restoreSql(undo)}`)
  }

  /** Rolls the file's transaction back and returns the connection to the pool, healthy. */
  end(): Promise<void> {
    return this.#end()
  }

  /**
   * Slonik destroys a pooled connection whose `connect` handler throws, and commits a transaction
   * whose handler returns. So the handler waits until `end()`, throws a sentinel to make Slonik roll
   * back, and catches it inside `connect`: rolled back, and the connection goes back intact.
   */
  static begin(pool: DatabasePool): Promise<SuiteTransaction> {
    return new Promise((resolve, reject) => {
      let release: () => void = () => {}
      const released = new Promise<void>((done) => {
        release = done
      })
      let opened = false
      const finished = pool
        .connect(async (connection) => {
          try {
            await connection.transaction(async (transaction) => {
              const client = await pgClientOf(transaction)
              const sequences = await SequenceGuard.of(client)
              const atStart = sequences.values(await client.query(sequences.readSql()))
              opened = true
              resolve(new SuiteTransaction(transaction, client, sequences, end))
              await released
              // Puts back ids the file used up; fails only when file-level code left the transaction
              // aborted, and the rollback runs all the same.
              await client.query(sequences.restoreSql(atStart)).catch(() => {})
              throw ROLLBACK
            })
          } catch (error) {
            if (error !== ROLLBACK) throw error
          }
        })
        .catch((error: unknown) => {
          // Kept for end(): a connection lost mid-file must fail the file, not the run (unhandled).
          if (!opened) reject(error)
          else failure = error
        })
      let failure: unknown
      async function end() {
        release()
        await finished
        if (failure !== undefined) throw failure
      }
    })
  }
}

export function beginSuiteTransaction(pool: DatabasePool): Promise<SuiteTransaction> {
  return SuiteTransaction.begin(pool)
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

/** `connection`, but every query first runs `before` (which sends a deferred test rollback). */
function fileLevel(
  connection: DatabaseTransactionConnection,
  before: () => Promise<void>,
): DatabaseTransactionConnection {
  return new Proxy(connection, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || !QUERY_METHODS.has(property as keyof CommonQueryMethods))
        return value
      return async (...args: unknown[]) => {
        await before()
        return Reflect.apply(value, target, args)
      }
    },
  })
}
