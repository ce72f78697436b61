import type pg from 'pg'
import type { DatabasePool, DatabaseTransactionConnection } from 'slonik'
import { pgClientOf } from '../schema/pg-client.js'
import { asServerGone, ServerGoneError } from './gone.js'
import { guarded } from './guarded.js'
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
  #inTest = false // the current test's savepoint stands
  #gone: ServerGoneError | undefined // the server went away: every later step fails at once, shortly
  /**
   * Set when a test ended the file's transaction (COMMIT, ROLLBACK): the file went on in a new one,
   * but what was committed stays in this database. Whoever owns the database replaces it after the
   * file (a fresh clone), so the next file does not see those rows.
   */
  endedByTest: string | undefined

  private constructor(
    connection: DatabaseTransactionConnection,
    client: pg.Client,
    sequences: SequenceGuard,
    end: () => Promise<void>,
  ) {
    this.#client = client
    this.#sequences = sequences
    this.#end = end
    const mapError = (error: unknown) => this.#mapError(error)
    this.connection = guarded(connection, undefined, mapError)
    this.fileConnection = guarded(connection, () => this.settle(), mapError)
  }

  /** Opens the test's savepoint (and rolls back the previous test's, in the same round trip). */
  async beginTest(): Promise<void> {
    if (this.#gone) throw this.#gone
    if (this.#inTest) this.endTest() // the last test's end was never signalled
    const steps = this.#undo ? [UNDO_TEST, this.#sequences.restoreSql(this.#undo)] : []
    const read = this.#values === undefined
    if (read) steps.push(this.#sequences.readSql())
    steps.push('SAVEPOINT dsta_test')
    const results = await this.#send(steps.join('; '))
    if (read) this.#values = this.#sequences.values(results.at(-2) as pg.QueryResult)
    this.#undo = undefined
    this.#inTest = true
  }

  /**
   * Marks the test finished: its rows and used-up ids are undone before anything else runs here.
   * Throws, failing that test, when it ended the file's transaction; the file goes on in a new one.
   */
  endTest(testName = 'this test'): void {
    if (!this.#inTest) return
    this.#inTest = false
    this.#undo = this.#values ?? []
    // The server's own word, from the last ReadyForQuery: 'I' is no transaction at all.
    if ((this.#client as unknown as { _txStatus?: string })._txStatus !== 'I') return
    this.#undo = undefined
    this.#values = undefined
    this.endedByTest = testName
    throw new FileTransactionEndedError(testName)
  }

  /** Sends a deferred rollback now; the next test re-reads sequence values (file code may move them). */
  async settle(): Promise<void> {
    if (this.#gone) throw this.#gone
    const undo = this.#undo
    this.#undo = undefined
    this.#values = undefined
    if (undo) await this.#send(`${UNDO_TEST}; ${this.#sequences.restoreSql(undo)}`)
  }

  /** Rolls the file's transaction back and returns the connection to the pool, healthy. */
  end(): Promise<void> {
    return this.#end()
  }

  /** One round trip of our own; a file transaction ended by a test is begun again first. */
  async #send(text: string): Promise<pg.QueryResult[]> {
    try {
      if ((this.#client as unknown as { _txStatus?: string })._txStatus === 'I') {
        this.endedByTest ??= 'a test'
        await this.#client.query('BEGIN')
      }
      return [(await this.#client.query(text)) as unknown as pg.QueryResult[]].flat()
    } catch (error) {
      throw this.#mapError(error)
    }
  }

  #mapError(error: unknown): unknown {
    const mapped = asServerGone(error)
    if (mapped instanceof ServerGoneError) this.#gone = mapped
    return mapped
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
        if (failure !== undefined) throw asServerGone(failure)
      }
    })
  }
}

export function beginSuiteTransaction(pool: DatabasePool): Promise<SuiteTransaction> {
  return SuiteTransaction.begin(pool)
}

/** A test sent COMMIT or ROLLBACK (or END, ABORT) on the connection its file's transaction runs on. */
export class FileTransactionEndedError extends Error {
  constructor(testName: string) {
    super(
      `dsta-db: ${testName} ended its file's transaction (it sent COMMIT or ROLLBACK on db), so its rows ` +
        "and the file's set-up are committed or gone; the file goes on in a new transaction on a database " +
        'replaced after the file. Use db.transaction() inside a test, or `// @dsta-isolation database` for code that must commit.',
    )
    this.name = 'FileTransactionEndedError'
    this.stack = `${this.name}: ${this.message}`
  }
}
