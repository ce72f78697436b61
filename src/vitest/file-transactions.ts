import type { SuiteTransaction } from '../isolation/suite.js'
import type { DstaRunContext } from './options.js'

// The transaction begun for each test file, by its setup or its first fixture, whichever comes
// first. A module of its own that imports nothing: the setup starts the begin before pg is loaded.
interface Begun {
  transaction: Promise<SuiteTransaction>
  context: DstaRunContext
}
const KEY = Symbol.for('dsta-db.file-transactions')
const store = globalThis as { [KEY]?: Map<string, Begun> }
store[KEY] ??= new Map()
const begun = store[KEY]

/** The file's transaction: begun by `begin` unless it was already. */
export function takeFileTransaction(
  path: string,
  context: DstaRunContext,
  begin: () => Promise<SuiteTransaction>,
): Promise<SuiteTransaction> {
  let file = begun.get(path)
  if (!file) {
    file = { transaction: begin(), context }
    file.transaction.catch(() => {}) // reported to the fixture that takes it
    begun.set(path, file)
  }
  return file.transaction
}

/**
 * Ends the file's transaction, if one was begun (by the fixture that used it, or the setup's
 * afterAll). When something committed into the slot's clone (a test's COMMIT), the clone is
 * replaced by a fresh one, so the next file of this worker starts from the template.
 */
export async function endFileTransaction(path: string): Promise<void> {
  const file = begun.get(path)
  if (!file) return
  begun.delete(path)
  const suite = await file.transaction
  const failed = await suite.end().then(
    () => undefined,
    (error: unknown) => ({ error }),
  )
  if (suite.committed) {
    const renewed = import('./worker.js').then((worker) => worker.renewSlot(file.context))
    // A failed end (the server gone…) is the error to report, not the renewal's that follows from it.
    await (failed ? renewed.catch(() => {}) : renewed)
  }
  if (failed) throw failed.error
}
