import type { EventEmitter } from 'node:events'
import type pg from 'pg'
import type { Link } from './link.js'
import { SequenceGuard } from './sequences.js'

const UNDO_TEST = 'ROLLBACK TO SAVEPOINT dsta_test; RELEASE SAVEPOINT dsta_test'

/** How the file's transaction was ended under it: a COMMIT kept its rows, a ROLLBACK dropped them. */
export type TransactionEnd = 'commit' | 'rollback'

/**
 * A transaction held open on one pg client for a whole test file, with a savepoint per test.
 * A test's rollback is deferred and sent with the next test's SAVEPOINT: one round trip per test.
 * Anything the file does between tests goes through `fileLink`, which first sends a deferred
 * rollback, so file-level code never sees a finished test's rows. Every query layer (the `pool`,
 * Slonik's `db`, the factories) runs on these links, so they share the one transaction.
 *
 * A test that sends COMMIT or ROLLBACK on it ends the file's transaction: the server says so in
 * the messages every query gets back anyway (ReadyForQuery's status `I`, the tag `COMMIT`), which
 * two listeners note, so the check costs no round trip. `endTest` then fails that test, and the
 * next step begins a new transaction; `committed` tells the owner the database is no longer clean.
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
  #pending: string | undefined // what must run before anything else: a test's rollback, or a new BEGIN
  #lost: unknown
  // Set by the server's messages; cleared when a test begins.
  #idleReplies = 0 // ReadyForQuery messages outside any transaction block: 2+ = a statement ran in autocommit
  #sawCommit = false // a COMMIT (or END) completed
  /** Whether something committed into the database (a test's or file code's COMMIT): it needs replacing. */
  committed = false
  readonly #onError = (error: Error) => {
    this.#lost ??= error
  }
  readonly #onReady = (message: { status?: string }) => {
    if (message.status === 'I') this.#idleReplies++
  }
  readonly #onComplete = (message: { text?: string }) => {
    if (message.text === 'COMMIT') this.#sawCommit = true
  }

  private constructor(client: pg.Client, sequences: SequenceGuard, atStart: (string | null)[]) {
    this.client = client
    this.#sequences = sequences
    this.#atStart = atStart
    this.testLink = { client, before: () => undefined }
    this.fileLink = { client, before: () => this.settle() }
    // A connection lost mid-file fails the file's end, not the run (an 'error' with no listener would).
    client.on('error', this.#onError)
    this.#connection.on('readyForQuery', this.#onReady)
    this.#connection.on('commandComplete', this.#onComplete)
  }

  /** pg's protocol connection under the client (pg 8: `client.connection`). */
  get #connection(): EventEmitter {
    return (this.client as unknown as { connection: EventEmitter }).connection
  }

  /** BEGIN on `client`, and the sequence values to put back at the end. */
  static async begin(client: pg.Client): Promise<SuiteTransaction> {
    const { guard, values } = await SequenceGuard.withValues(client, 'BEGIN')
    return new SuiteTransaction(client, guard, values)
  }

  /** Opens the test's savepoint (and rolls back the previous test's, in the same round trip). */
  async beginTest(): Promise<void> {
    const steps = [this.#takePending()].filter((step) => step !== undefined)
    const read = this.#values === undefined
    if (read) steps.push(this.#sequences.readSql())
    steps.push('SAVEPOINT dsta_test')
    const results = [(await this.client.query(steps.join('; '))) as unknown as pg.QueryResult[]].flat()
    if (read) this.#values = this.#sequences.values(results.at(-2) as pg.QueryResult)
    this.#idleReplies = 0
    this.#sawCommit = false
  }

  /**
   * Marks the test finished: its rows and used-up ids are undone before anything else runs here.
   * Throws `FileTransactionEndedError` (failing the test) when the test ended the file's transaction;
   * the next step then begins a new one.
   */
  endTest(testName = 'the test'): void {
    const values = this.#values ?? []
    const ended = this.#ended()
    if (!ended) {
      this.#pending = `${UNDO_TEST}; ${this.#sequences.restoreSql(values)}`
      return
    }
    // After a clean ROLLBACK the ids the test used up are put back; committed rows hold theirs.
    this.#pending = ended.kept ? 'BEGIN' : `BEGIN; ${this.#sequences.restoreSql(values)}`
    if (ended.kept) this.#values = undefined
    throw new FileTransactionEndedError(testName, ended.how, ended.kept)
  }

  /**
   * Enqueues a deferred rollback now (undefined when there is none); the next test re-reads sequence
   * values, since file code may move them.
   */
  settle(): Promise<void> | undefined {
    const pending = this.#takePending()
    this.#values = undefined
    if (!pending) return undefined
    return this.client.query(pending).then(() => {})
  }

  /** Puts back the ids the file used up and rolls the file's transaction back; the client stays open. */
  async end(): Promise<void> {
    this.client.off('error', this.#onError)
    this.#connection.off('readyForQuery', this.#onReady)
    this.#connection.off('commandComplete', this.#onComplete)
    this.#takePending() // marks what file-level code committed after the last test; nothing is sent
    if (this.#lost) throw this.#lost
    // Fails only when file-level code left the transaction aborted; the rollback runs all the same.
    await this.client.query(this.#sequences.restoreSql(this.#atStart)).catch(() => {})
    try {
      await this.client.query('ROLLBACK')
    } catch (error) {
      throw this.#lost ?? error
    }
  }

  /**
   * How the transaction ended since the last test began, if it did (clears the marks). `kept`: rows
   * may have been committed (a COMMIT, or statements run outside any transaction after a ROLLBACK).
   */
  #ended(): { how: TransactionEnd; kept: boolean } | undefined {
    const idle = this.#idleReplies > 0 || this.#status() === 'I'
    const ended = this.#sawCommit || idle
    const how: TransactionEnd = this.#sawCommit ? 'commit' : 'rollback'
    const kept = this.#sawCommit || this.#idleReplies > 1
    this.#idleReplies = 0
    this.#sawCommit = false
    if (kept) this.committed = true
    return ended ? { how, kept } : undefined
  }

  /** The server's word from the last ReadyForQuery (pg 8): `I` no transaction, `T` in one, `E` failed. */
  #status(): string | undefined {
    return (this.client as unknown as { _txStatus?: string })._txStatus
  }

  /**
   * What must run first: the pending step, or a new BEGIN when file-level code (between tests) ended
   * the transaction (its deferred test rollback, if any, went with the transaction). Statements run
   * outside any transaction since then were committed each: the database is marked.
   */
  #takePending(): string | undefined {
    const pending = this.#pending
    this.#pending = undefined
    const restart = pending?.startsWith('BEGIN') === true // a test ended the transaction
    const status = this.#status()
    const ended = !restart && (this.#sawCommit || this.#idleReplies > 0 || status === 'I')
    // After a test's end, any reply outside a transaction is a statement run there; after file
    // code's ROLLBACK, the ones after the first.
    if (this.#sawCommit || this.#idleReplies > (restart ? 0 : 1)) this.committed = true
    this.#sawCommit = false
    this.#idleReplies = 0
    if (!ended) return pending
    // File code that began a transaction of its own after ending ours goes on in it.
    return status === 'I' ? 'BEGIN' : undefined
  }
}

/** A test sent COMMIT or ROLLBACK (or END, ABORT) on the connection its file's transaction runs on. */
export class FileTransactionEndedError extends Error {
  readonly how: TransactionEnd
  /** Whether rows may have been committed (the database is replaced after the file). */
  readonly kept: boolean

  constructor(testName: string, how: TransactionEnd, kept = how === 'commit') {
    const replaced =
      "; dsta-db replaces this worker's database after this file, so the next file starts clean"
    const what =
      how === 'commit'
        ? 'it sent COMMIT (or END), which made its rows, and the rows of the file set-up (beforeAll), permanent ' +
          `in this worker's database${replaced}`
        : 'it sent ROLLBACK (or ABORT, or COMMIT after a failed statement), which also undid the rows of the ' +
          'file set-up (beforeAll) for the tests after it' +
          (kept ? `, and then ran statements outside any transaction, each committed at once${replaced}` : '')
    super(
      `dsta-db: test "${testName}" ended its file's transaction: ${what}. The later tests of this file run in ` +
        'a new transaction. The tests of a file share one transaction, a savepoint each: do not send ' +
        'COMMIT/ROLLBACK through db or pool.query("…; COMMIT"); use db.transaction() (a savepoint) or the ' +
        'pool fixture, whose BEGIN/COMMIT/ROLLBACK become savepoints, or put `// @dsta-isolation database` ' +
        'at the top of a file whose code must really commit.',
    )
    this.name = 'FileTransactionEndedError'
    this.how = how
    this.kept = kept
    this.stack = `${this.name}: ${this.message}`
  }
}

export function beginSuiteTransaction(client: pg.Client): Promise<SuiteTransaction> {
  return SuiteTransaction.begin(client)
}
