import pg from 'pg'
import { databaseUrl, workerCloneName } from '../isolation/names.js'
import type { SuiteTransaction } from '../isolation/suite.js'
import { takeFileTransaction } from './file-transactions.js'
import type { DstaRunContext } from './options.js'

export { endFileTransaction } from './file-transactions.js'

/** A worker slot's connection: one pg client on the slot's clone, kept across the files it runs. */
export interface Slot {
  url: string
  client: Promise<pg.Client>
}

/** Connections a worker keeps for its whole life. */
interface WorkerConnections {
  slots: Map<string, Slot>
  admin?: Promise<pg.Client> | undefined
  /** The server's socket failed once: this worker connects over TCP. */
  overTcp?: boolean
}

// The setup file and the test file may load this module twice; the state lives on globalThis.
const KEY = Symbol.for('dsta-db.worker')
const store = globalThis as { [KEY]?: WorkerConnections }
store[KEY] ??= { slots: new Map() }
const connections: WorkerConnections = store[KEY]

export function workerSlot(): string {
  return process.env.VITEST_POOL_ID ?? `p${process.pid}`
}

/** The admin connection of this worker (to the server's `postgres` database), opened on first use. */
export function adminClient(context: DstaRunContext): Promise<pg.Client> {
  connections.admin ??= import('../isolation/admin.js').then((admin) => admin.connectAdmin(context.serverUrl))
  return connections.admin
}

/** This worker slot's client on its clone (made by the main process ahead of need, or here if not yet). */
export function slotClient(context: DstaRunContext): Slot {
  const name = workerCloneName(context, workerSlot())
  let slot = connections.slots.get(name)
  if (!slot) {
    const url = databaseUrl(context.serverUrl, name)
    const opened: Slot = { url, client: openSlot(context, name) }
    // A failed or lost connection is dropped: the next file of this worker opens a new one. Only
    // this slot's own client drops it (a failed attempt on the way, or a replaced client, does not).
    const drop = () => {
      if (connections.slots.get(name) === opened) connections.slots.delete(name)
    }
    opened.client.then((client) => {
      client.on('error', drop)
      client.on('end', drop)
    }, drop)
    slot = opened
    connections.slots.set(name, slot)
  }
  return slot
}

async function openSlot(context: DstaRunContext, name: string): Promise<pg.Client> {
  try {
    return await connect(context, name)
  } catch (error) {
    const { pgCode } = await import('../isolation/admin.js')
    if (pgCode(error) !== '3D000') throw error // 3D000: the database does not exist
  }
  // The clones module loads only here and in renewSlot: a slot's clone is made by the main process.
  const { ensureClone } = await import('../isolation/clones.js')
  await ensureClone(await adminClient(context), name, context.template)
  return connect(context, name)
}

async function connect(context: DstaRunContext, name: string): Promise<pg.Client> {
  // Over the embedded server's socket when there is one: no SCRAM exchange to wait through while the
  // test file's modules load (see server/peer-socket.ts). The URL stays what the tests are told.
  // Should the socket fail where TCP would not (a sandbox that forbids it, a login refused), this
  // worker goes on over TCP; the server's other answers (no such database…) are TCP's too.
  const { socketDir } = context
  if (socketDir && !connections.overTcp) {
    const port = Number(new URL(context.serverUrl).port)
    try {
      return await open({ host: socketDir, port, user: 'postgres', database: name })
    } catch (error) {
      const refused = String((error as { code?: unknown }).code).startsWith('28') // login refused
      if (error instanceof pg.DatabaseError && !refused) throw error
      connections.overTcp = true
    }
  }
  return open({ connectionString: databaseUrl(context.serverUrl, name) })
}

async function open(target: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client({ ...target, application_name: 'dsta-db test' })
  client.on('error', () => {}) // a lost connection: its slot is dropped (see slotClient)
  await client.connect()
  return client
}

/**
 * The file's transaction on the slot's client: the one the setup file began while the test file was
 * still to be imported (see file-transactions.ts), else begun now.
 */
export function fileTransaction(context: DstaRunContext, path: string): Promise<SuiteTransaction> {
  return takeFileTransaction(path, context, () => beginFileTransaction(context))
}

/** Connects (or reuses the slot's client) and begins a file's transaction. */
export async function beginFileTransaction(context: DstaRunContext): Promise<SuiteTransaction> {
  const [{ beginSuiteTransaction }, client] = await Promise.all([
    import('../isolation/suite.js'),
    slotClient(context).client,
  ])
  return beginSuiteTransaction(client)
}

/** Replaces this worker slot's clone by a fresh copy of the template; the next file opens a new client. */
export async function renewSlot(context: DstaRunContext): Promise<void> {
  const name = workerCloneName(context, workerSlot())
  const slot = connections.slots.get(name)
  connections.slots.delete(name)
  const client = await slot?.client.catch(() => undefined)
  await client?.end().catch(() => {})
  const { replaceClone } = await import('../isolation/clones.js')
  await replaceClone(await adminClient(context), name, context.template)
}

/**
 * Ends the worker's connections (worker teardown). Each sends its Terminate at once; the server's
 * closing of the socket is not waited for (≈ 20 ms, in every isolated file), since the worker is ending.
 */
export async function closeWorkerConnections(): Promise<void> {
  const opened = [...connections.slots.values()].map((slot) => slot.client)
  if (connections.admin) opened.push(connections.admin)
  connections.slots.clear()
  connections.admin = undefined
  for (const client of await Promise.allSettled(opened))
    if (client.status === 'fulfilled') client.value.end().catch(() => {})
}

export function rootCause(error: unknown): unknown {
  let current = error
  while (current instanceof Error && current.cause) current = current.cause
  return current
}
