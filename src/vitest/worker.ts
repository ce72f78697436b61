import type pg from 'pg'
import { type DatabasePool, sql } from 'slonik'
import { connectAdmin, databaseUrl, pgCode } from '../isolation/admin.js'
import { ensureClone, workerCloneName } from '../isolation/clones.js'
import { createDstaPool } from '../schema/pool.js'
import type { DstaRunContext } from './options.js'

/** Connections a worker keeps for its whole life: one pool on its slot's clone, one admin client. */
interface WorkerConnections {
  slots: Map<string, { url: string; pool: Promise<DatabasePool> }>
  admin?: Promise<pg.Client> | undefined
}

// The setup file and the test file may load this module twice; the state lives on globalThis.
const KEY = Symbol.for('dsta-db.worker')
const store = globalThis as { [KEY]?: WorkerConnections }
store[KEY] ??= { slots: new Map() }
const connections: WorkerConnections = store[KEY]

/**
 * Test pools: a test may sit between queries for long, and a retried statement would hide the first
 * failure; Slonik's 60 s timeouts and 5 retries are for services, not for tests.
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

/** The pool on this worker slot's clone, made by the main process ahead of need (or here, if not yet). */
export function slotPool(context: DstaRunContext): { url: string; pool: Promise<DatabasePool> } {
  const name = workerCloneName(context, workerSlot())
  let slot = connections.slots.get(name)
  if (!slot) {
    const url = databaseUrl(context.serverUrl, name)
    slot = { url, pool: openSlot(context, name, url) }
    connections.slots.set(name, slot)
  }
  return slot
}

/** Opens the slot's pool; when its clone is missing (a slot beyond those made ahead), makes it here. */
async function openSlot(context: DstaRunContext, name: string, url: string): Promise<DatabasePool> {
  try {
    return await probedPool(url)
  } catch (error) {
    if (pgCode(rootCause(error)) !== '3D000') throw error // 3D000: the database does not exist
  }
  await ensureClone(await adminClient(context), name, context.template)
  return probedPool(url)
}

/** A pool whose first connection has answered: Slonik may connect lazily, and errors belong here. */
async function probedPool(url: string): Promise<DatabasePool> {
  const pool = await openTestPool(url)
  try {
    await pool.query(probe)
    return pool
  } catch (error) {
    await pool.end().catch(() => {})
    throw error
  }
}

/** Ends the worker's connections (worker teardown). */
export async function closeWorkerConnections(): Promise<void> {
  const slots = [...connections.slots.values()]
  connections.slots.clear()
  const admin = connections.admin
  connections.admin = undefined
  await Promise.allSettled(slots.map(async (slot) => (await slot.pool).end()))
  if (admin) await (await admin).end().catch(() => {})
}

const probe = sql.unsafe`SELECT 1`

export function rootCause(error: unknown): unknown {
  let current = error
  while (current instanceof Error && current.cause) current = current.cause
  return current
}
