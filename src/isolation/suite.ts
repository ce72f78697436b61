import type pg from 'pg'
import type { Link } from './link.js'
import { SequenceGuard } from './sequences.js'

const UNDO_TEST = 'ROLLBACK TO SAVEPOINT dsta_test; RELEASE SAVEPOINT dsta_test'

/**
 * A transaction held open on one pg client for a whole test file, with a savepoint per test.
 * A test's rollback is deferred and sent with the next test's SAVEPOINT: one round trip per test.
 * Anything the file does between tests goes through `fileLink`, which first sends a deferred
 * rollback, so file-level code never sees a finished test's rows. Every query layer (the `pool`,
 * Slonik's `db`, the factories) runs on these links, so they share the one transaction.
 */
export class SuiteTransaction {
  readonly client: pg.Client
  /** For a test's queries: the test's savepoint is open. */
  readonly testLink: Link
  /** For file-level set-up (e.g. `beforeAll`): data made here is seen by every test of the file. */
  readonly fileLink: Link
  readonly #sequences: SequenceGuard
  readonly #atStart: (string | null)[]
  #values: (string | null)[] | undefined // sequence values at the start of the current or next test
  #undo: (string | null)[] | undefined // a finished test whose savepoint is not rolled back yet
  #lost: unknown
  readonly #onError = (error: Error) => {
    this.#lost ??= error
  }

  private constructor(client: pg.Client, sequences: SequenceGuard, atStart: (string | null)[]) {
    this.client = client
    this.#sequences = sequences
    this.#atStart = atStart
    this.testLink = { client, before: () => undefined }
    this.fileLink = { client, before: () => this.settle() }
    // A connection lost mid-file fails the file's end, not the run (an 'error' with no listener would).
    client.on('error', this.#onError)
  }

  /** BEGIN on `client`, and the sequence values to put back at the end. */
  static async begin(client: pg.Client): Promise<SuiteTransaction> {
    const [, sequences] = await Promise.all([client.query('BEGIN'), SequenceGuard.of(client)]) // pipelined
    const atStart = sequences.values(await client.query(sequences.readSql()))
    return new SuiteTransaction(client, sequences, atStart)
  }

  /** Opens the test's savepoint (and rolls back the previous test's, in the same round trip). */
  async beginTest(): Promise<void> {
    const steps = this.#undo ? [UNDO_TEST, this.#sequences.restoreSql(this.#undo)] : []
    const read = this.#values === undefined
    if (read) steps.push(this.#sequences.readSql())
    steps.push('SAVEPOINT dsta_test')
    const results = [(await this.client.query(steps.join('; '))) as unknown as pg.QueryResult[]].flat()
    if (read) this.#values = this.#sequences.values(results.at(-2) as pg.QueryResult)
    this.#undo = undefined
  }

  /** Marks the test finished: its rows and used-up ids are undone before anything else runs here. */
  endTest(): void {
    this.#undo = this.#values ?? []
  }

  /**
   * Enqueues a deferred rollback now (undefined when there is none); the next test re-reads sequence
   * values, since file code may move them.
   */
  settle(): Promise<void> | undefined {
    const undo = this.#undo
    this.#undo = undefined
    this.#values = undefined
    if (!undo) return undefined
    return this.client.query(`${UNDO_TEST}; ${this.#sequences.restoreSql(undo)}`).then(() => {})
  }

  /** Puts back the ids the file used up and rolls the file's transaction back; the client stays open. */
  async end(): Promise<void> {
    this.client.off('error', this.#onError)
    if (this.#lost) throw this.#lost
    // Fails only when file-level code left the transaction aborted; the rollback runs all the same.
    await this.client.query(this.#sequences.restoreSql(this.#atStart)).catch(() => {})
    try {
      await this.client.query('ROLLBACK')
    } catch (error) {
      throw this.#lost ?? error
    }
  }
}

export function beginSuiteTransaction(client: pg.Client): Promise<SuiteTransaction> {
  return SuiteTransaction.begin(client)
}
