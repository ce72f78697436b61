import { EventEmitter } from 'node:events'
import pg from 'pg'
import { type Link, send } from './link.js'

type Control = 'begin' | 'commit' | 'rollback'
const CONTROL_START = /^\s*(begin|start|commit|end|rollback|abort)\b/i

/**
 * A statement that opens or ends a transaction: `BEGIN`, `START TRANSACTION ISOLATION LEVEL …`,
 * `COMMIT`, `END`, `ROLLBACK`, `ABORT` (any case, one statement). `ROLLBACK TO …` is the caller's
 * own savepoint and passes through.
 */
export function controlOf(text: string): Control | undefined {
  // Most queries are none of these: the first word decides, before the whole text is normalised.
  if (!CONTROL_START.test(text)) return undefined
  const statement = text.trim().replace(/;\s*$/, '').replace(/\s+/g, ' ').toLowerCase()
  if (statement.includes(';')) return undefined
  if (/^(begin|start transaction)\b/.test(statement)) return 'begin'
  if (/^(commit|end|rollback|abort)( work| transaction)? and (no )?chain$/.test(statement))
    throw new Error(
      `dsta-db pool: "${text.trim()}" is not supported inside the test's transaction; end the transaction and begin a new one`,
    )
  if (/^(commit|end)( work| transaction)?$/.test(statement)) return 'commit'
  if (/^(rollback|abort)( work| transaction)?$/.test(statement)) return 'rollback'
  return undefined
}

function commandResult(command: string): pg.QueryResult {
  return { command, rowCount: null, oid: 0, fields: [], rows: [] } as unknown as pg.QueryResult
}

let sessions = 0

/**
 * What one checked-out client (or the pool's own `query`) sees as its transaction: its `BEGIN`
 * becomes a savepoint inside the test's, its `COMMIT` releases it, its `ROLLBACK` rolls back to it.
 * Like PostgreSQL, a second `BEGIN` or a `COMMIT` outside a transaction changes nothing, and a
 * `COMMIT` of a failed transaction rolls it back and answers `ROLLBACK`.
 */
class Session {
  readonly savepoint = `dsta_pool_${++sessions}`
  open = false

  async run(link: Link, args: unknown[]): Promise<unknown> {
    const first = args[0]
    const text = typeof first === 'string' ? first : (first as { text?: unknown } | null)?.text
    const control = typeof text === 'string' ? controlOf(text) : undefined
    if (!control)
      return send(link, (client) => (client.query as (...a: unknown[]) => Promise<unknown>)(...args))
    return send(link, (client) => this.#control(client, control))
  }

  async #control(client: pg.Client, control: Control): Promise<pg.QueryResult> {
    const name = this.savepoint
    if (control === 'begin') {
      if (!this.open) await client.query(`SAVEPOINT ${name}`)
      this.open = true
      return commandResult('BEGIN')
    }
    if (!this.open) return commandResult(control === 'commit' ? 'COMMIT' : 'ROLLBACK')
    this.open = false
    if (control === 'commit') {
      try {
        await client.query(`RELEASE SAVEPOINT ${name}`)
        return commandResult('COMMIT')
      } catch (error) {
        if ((error as { code?: string }).code !== '25P02') throw error // 25P02: the transaction failed
      }
    }
    await client.query(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`)
    return commandResult('ROLLBACK')
  }

  /** A client released inside its transaction: like a connection that never commits, it rolls back. */
  async abandon(link: Link): Promise<void> {
    if (this.open) await this.run(link, ['ROLLBACK'])
  }
}

type Callback = (error: Error | null, result?: unknown) => void

/** Runs `args` (a pg `query` call: text/values, config, a submittable, a trailing callback). */
function query(session: Session, link: Link, args: unknown[]): unknown {
  const first = args[0] as { submit?: unknown; emit?: (event: string, error: unknown) => void } | undefined
  if (typeof first?.submit === 'function') {
    // A Cursor or QueryStream: pg returns it at once and it reports through its own events.
    send(link, async (client) => (client.query as (q: unknown) => unknown)(first)).catch((error) =>
      first.emit?.('error', error),
    )
    return first
  }
  const last = args.at(-1)
  if (typeof last !== 'function') return session.run(link, args)
  session.run(link, args.slice(0, -1)).then(
    (result) => (last as Callback)(null, result),
    (error: Error) => (last as Callback)(error),
  )
  return undefined
}

/** One at a time: a client waits until the one checked out before it is released. */
class Turns {
  #tail: Promise<void> = Promise.resolve()

  async take(): Promise<() => void> {
    let free: () => void = () => {}
    const previous = this.#tail
    this.#tail = new Promise((done) => {
      free = done
    })
    await previous
    return free
  }
}

/** A checked-out client of a `SavepointPool`: the file's connection, its transactions savepoints. */
export class SavepointClient extends EventEmitter {
  readonly #link: Link
  readonly #session = new Session()
  readonly #free: () => void
  readonly #pool: SavepointPool
  #released = false

  constructor(link: Link, pool: SavepointPool, free: () => void) {
    super()
    this.#link = link
    this.#pool = pool
    this.#free = free
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads, all of which this accepts
  query(...args: unknown[]): any {
    if (this.#released)
      throw new Error('dsta-db pool: this client was released; check out another with pool.connect()')
    return query(this.#session, this.#link, args)
  }

  /** Returns the client; a transaction it left open is rolled back, as an uncommitted one would be. */
  release(error?: Error | boolean): void {
    if (this.#released)
      throw new Error('Release called on client which has already been released to the pool.')
    this.#released = true
    const done = this.#session.abandon(this.#link)
    // A failed rollback means a broken connection: the test's next query reports it; listeners hear it now.
    done
      .catch((failure) => this.#pool.listenerCount('error') && this.#pool.emit('error', failure, this))
      .finally(() => this.#free())
    this.#pool.emit('release', error instanceof Error ? error : undefined, this)
  }

  connect(): Promise<void> {
    return Promise.resolve()
  }

  end(): Promise<void> {
    return Promise.resolve()
  }

  get processID(): number | undefined {
    return (this.#link.client as unknown as { processID?: number }).processID
  }

  escapeIdentifier(value: string): string {
    return this.#link.client.escapeIdentifier(value)
  }

  escapeLiteral(value: string): string {
    return this.#link.client.escapeLiteral(value)
  }
}

/**
 * A node-postgres `Pool` (it is one: `instanceof pg.Pool` holds, as Drizzle checks) whose every
 * query runs on the file's connection, inside the test's transaction. `connect()` hands out clients
 * one at a time; `query()` never waits for a checked-out client, so code that holds a client and
 * calls `pool.query` meanwhile does not deadlock. `end()` changes nothing: the run owns the connection.
 */
export class SavepointPool extends pg.Pool {
  readonly #link: Link
  readonly #session = new Session()
  readonly #turns = new Turns()
  #connected = false

  constructor(link: Link) {
    super({ max: 1 })
    this.#link = link
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads, all of which this accepts
  override query(...args: unknown[]): any {
    return query(this.#session, this.#link, args)
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads (promise, or a callback with done)
  override connect(callback?: (...args: any[]) => void): any {
    const checkout = this.#checkout()
    if (!callback) return checkout
    checkout.then(
      (client) => callback(undefined, client, (error?: Error | boolean) => client.release(error)),
      (error) => callback(error),
    )
    return undefined
  }

  async #checkout(): Promise<pg.PoolClient> {
    const free = await this.#turns.take()
    const client = new SavepointClient(this.#link, this, free)
    if (!this.#connected) this.emit('connect', client)
    this.#connected = true
    this.emit('acquire', client)
    return client as unknown as pg.PoolClient
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads (promise, or a callback)
  override end(callback?: () => void): any {
    if (callback) return void queueMicrotask(callback)
    return Promise.resolve()
  }
}
