import type pg from 'pg'

/**
 * Connections a run needs on its server: its main process holds two (the run's lease, the clone
 * pool), and each worker up to three (its slot's pool, its admin connection, a `database`-isolation
 * file's own pool). A server with a low `max_connections` would otherwise refuse a worker halfway
 * through the run ("sorry, too many clients already"): the run checks at its start instead.
 */
export const MAIN_CONNECTIONS = 2
export const WORKER_CONNECTIONS = 3

export interface Budget {
  maxConnections: number
  /** What this session's user may open at most (reserved slots left out unless superuser). */
  usable: number
  /** Connections open now, by anyone, this run's own included. */
  inUse: number
}

export async function connectionBudget(client: pg.Client): Promise<Budget> {
  const { rows } = await client.query<{ max: number; reserved: number; superuser: boolean; in_use: number }>(
    `SELECT current_setting('max_connections')::int AS max,
            current_setting('superuser_reserved_connections')::int
              + coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0) AS reserved,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
            (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS in_use`,
  )
  const row = rows[0] as { max: number; reserved: number; superuser: boolean; in_use: number }
  return {
    maxConnections: row.max,
    usable: row.superuser ? row.max : row.max - row.reserved,
    inUse: row.in_use,
  }
}

/** A run that cannot fit in its server's connections: one line naming the setting, no stack. */
export class ConnectionBudgetError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConnectionBudgetError'
    this.stack = `${this.name}: ${this.message}`
  }
}

/**
 * Throws a `ConnectionBudgetError` when `workers` workers would not fit in what the server has
 * left; the connection `client` holds counts as already open (it is the run's).
 */
export async function checkConnectionBudget(client: pg.Client, workers: number): Promise<Budget> {
  const budget = await connectionBudget(client)
  const need = MAIN_CONNECTIONS + WORKER_CONNECTIONS * workers
  const free = budget.usable - budget.inUse + 1 // + our own, counted in inUse
  if (need <= free) return budget
  const fits = Math.floor((free - MAIN_CONNECTIONS) / WORKER_CONNECTIONS)
  throw new ConnectionBudgetError(
    `dsta-db: the server allows max_connections = ${budget.maxConnections} (${budget.usable} usable by this user, ` +
      `${budget.inUse - 1} open by others), and this run needs up to ${need}: ${MAIN_CONNECTIONS} + ${WORKER_CONNECTIONS} ` +
      `per worker × ${workers} workers. ${fits >= 1 ? `Run with --maxWorkers ${fits}, or raise max_connections` : 'Raise max_connections, or wait for the other sessions to end'}.`,
  )
}

/** Whether `error` is PostgreSQL's "too many clients" (53300): the run outgrew the server's connections. */
export function isTooManyConnections(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    if ((current as { code?: unknown }).code === '53300') return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}
