import pg from 'pg'
import type { DatabasePool } from 'slonik'
import { connectAdmin, databaseUrl, pgCode } from '../isolation/admin.js'
import { ensureClone, replaceClone, workerCloneName } from '../isolation/clones.js'
import type { SuiteTransaction } from '../isolation/suite.js'
import { createDstaPool } from '../schema/pool.js'
import type { DstaRunContext } from './options.js'

/** A worker slot's connection: one pg client on the slot's clone, kept across the files it runs. */
export interface Slot {
  url: string
  client: Promise<pg.Client>
}

/** Connections a worker keeps for its whole life, and the transaction begun early for a file. */
interface WorkerConnections {
  slots: Map<string, Slot>
  admin?: Promise<pg.Client> | undefined
  early: Map<string, { suite: Promise<SuiteTransaction>; context: DstaRunContext }>
}

// The setup file and the test file may load this module twice; the state lives on globalThis.
const KEY = Symbol.for('dsta-db.worker')
const store = globalThis as { [KEY]?: WorkerConnections }
store[KEY] ??= { slots: new Map(), early: new Map() }
const connections: WorkerConnections = store[KEY]

/**
 * Test pools (Slonik, for `database`-isolation files): a test may sit between queries for long, and
 * a retried statement would hide the first failure; Slonik's 60 s timeouts and 5 retries are for
 * services, not for tests.
 */
export function openTestPool(url: string): Promise<DatabasePool> {
  return createDstaPool(url, {
    maximumPoolSize: 4,
    idleTimeout: 'DISABLE_TIMEOUT',
    idleInTransactionSessionTimeout: 'DISABLE_TIMEOUT',
    statementTimeout: 'DISABLE_TIMEOUT',
    queryRetryLimit: 0,
    transactionRetryLimit: 0,
  })
}

export function workerSlot(): string {
  return process.env.VITEST_POOL_ID ?? `p${process.pid}`
}

/** The admin connection of this worker (to the server's `postgres` database), opened on first use. */
export function adminClient(context: DstaRunContext): Promise<pg.Client> {
  connections.admin ??= connectAdmin(context.serverUrl)
  return connections.admin
}

/** This worker slot's client on its clone (made by the main process ahead of need, or here if not yet). */
export function slotClient(context: DstaRunContext): Slot {
  const name = workerCloneName(context, workerSlot())
  let slot = connections.slots.get(name)
  if (!slot) {
    const url = databaseUrl(context.serverUrl, name)
    const opened: Slot = { url, client: openSlot(context, name, url) }
    // A failed or lost connection is dropped: the next file of this worker opens a new one.
    opened.client.catch(() => connections.slots.delete(name))
    slot = opened
    connections.slots.set(name, slot)
  }
  return slot
}

async function openSlot(context: DstaRunContext, name: string, url: string): Promise<pg.Client> {
  try {
    return await connect(name, url)
  } catch (error) {
    if (pgCode(error) !== '3D000') throw error // 3D000: the database does not exist
  }
  await ensureClone(await adminClient(context), name, context.template)
  return connect(name, url)
}

async function connect(name: string, url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'dsta-db test' })
  client.on('error', () => {
    if (connections.slots.get(name)?.client) connections.slots.delete(name)
  })
  client.on('end', () => connections.slots.delete(name))
  await client.connect()
  return client
}

/**
 * The file's transaction on the slot's client. The setup file calls this while the test file is
 * still to be imported, so connecting and BEGIN overlap the import; the fixtures take it from here.
 */
export function fileTransaction(context: DstaRunContext, path: string): Promise<SuiteTransaction> {
  let early = connections.early.get(path)
  if (!early) {
    const suite = (async () => {
      const [{ beginSuiteTransaction }, client] = await Promise.all([
        import('../isolation/suite.js'),
        slotClient(context).client,
      ])
      return beginSuiteTransaction(client)
    })()
    suite.catch(() => {}) // reported to the fixture that takes it
    early = { suite, context }
    connections.early.set(path, early)
  }
  return early.suite
}

/**
 * Ends the file's transaction, if one was begun (the fixture that used it, or the setup file's
 * afterAll). When something committed into the slot's clone (a test's COMMIT), the clone is replaced
 * by a fresh one, so the next file of this worker starts from the template.
 */
export async function endFileTransaction(path: string): Promise<void> {
  const early = connections.early.get(path)
  if (!early) return
  connections.early.delete(path)
  const suite = await early.suite
  const failed = await suite.end().then(
    () => undefined,
    (error: unknown) => ({ error }),
  )
  if (suite.committed) {
    const renewed = renewSlot(early.context)
    // A failed end (the server gone…) is the error to report, not the renewal's that follows from it.
    await (failed ? renewed.catch(() => {}) : renewed)
  }
  if (failed) throw failed.error
}

/** Replaces this worker slot's clone by a fresh copy of the template; the next file opens a new client. */
export async function renewSlot(context: DstaRunContext): Promise<void> {
  const name = workerCloneName(context, workerSlot())
  const slot = connections.slots.get(name)
  connections.slots.delete(name)
  const client = await slot?.client.catch(() => undefined)
  await client?.end().catch(() => {})
  await replaceClone(await adminClient(context), name, context.template)
}

/** Ends the worker's connections (worker teardown). */
export async function closeWorkerConnections(): Promise<void> {
  const slots = [...connections.slots.values()]
  connections.slots.clear()
  const admin = connections.admin
  connections.admin = undefined
  await Promise.allSettled(slots.map(async (slot) => (await slot.client).end()))
  if (admin) await (await admin).end().catch(() => {})
}

export function rootCause(error: unknown): unknown {
  let current = error
  while (current instanceof Error && current.cause) current = current.cause
  return current
}
