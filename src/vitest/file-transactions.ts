import type { SuiteTransaction } from '../isolation/suite.js'

// The transaction begun for each test file, by its setup or its first fixture, whichever comes
// first. A module of its own that imports nothing: the setup starts the begin before pg is loaded.
const KEY = Symbol.for('dsta-db.file-transactions')
const store = globalThis as { [KEY]?: Map<string, Promise<SuiteTransaction>> }
store[KEY] ??= new Map()
const begun = store[KEY]

/** The file's transaction: begun by `begin` unless it was already. */
export function takeFileTransaction(
  path: string,
  begin: () => Promise<SuiteTransaction>,
): Promise<SuiteTransaction> {
  let transaction = begun.get(path)
  if (!transaction) {
    transaction = begin()
    transaction.catch(() => {}) // reported to the fixture that takes it
    begun.set(path, transaction)
  }
  return transaction
}

/** Ends the file's transaction, if one was begun (by the fixture that used it, or the setup's afterAll). */
export async function endFileTransaction(path: string): Promise<void> {
  const transaction = begun.get(path)
  if (!transaction) return
  begun.delete(path)
  await (await transaction).end()
}
