import type pg from 'pg'
import {
  cloneDatabase,
  connectAdmin,
  databasesLike,
  dropDatabase,
  pgCode,
  quoteIdent,
  startsWith,
} from './admin.js'
import {
  claimChannel,
  isSpare,
  type RunNames,
  runPrefix,
  spareName,
  templateSuffix,
  workerCloneName,
} from './names.js'

export interface ClonePoolOptions extends RunNames {
  /** Worker slots to pre-clone (Vitest's maxWorkers). */
  workers: number
  /** Spare clones kept ready for files in `database` isolation (IntegreSQL-style). */
  spares: number
  /** Cap on this run's databases alive at once; no spare is made beyond it. */
  maxDatabases: number
  /**
   * Make the spares at the start (default), or only once a first spare is claimed: a run whose files
   * use transactions never needs one, and would pay their copies at start and their removal at stop.
   */
  sparesUpFront?: boolean
}

/**
 * Runs in the main process: clones one database per worker slot and keeps `spares` clones ready, in
 * the background, while Vitest boots its workers. Workers take spares by renaming them (atomic: a
 * spare goes to exactly one file) and notify; the pool makes a new one.
 */
export class ClonePool {
  #client: pg.Client
  #options: ClonePoolOptions
  #sequence = 0
  #work: Promise<void> = Promise.resolve()
  #closed = false
  readonly #ownsClient: boolean
  readonly #onClaim = () => this.#enqueue(() => this.#topUp())

  private constructor(client: pg.Client, options: ClonePoolOptions, ownsClient: boolean) {
    this.#client = client
    this.#options = options
    this.#ownsClient = ownsClient
  }

  /**
   * `server`: the server's address (the pool opens and ends its own connection), or a connection the
   * caller keeps (a run's lease: the pool uses it and leaves it open at close), unless `ownsClient`.
   */
  static async start(
    server: string | pg.Client,
    options: ClonePoolOptions,
    ownsClient = typeof server === 'string',
  ): Promise<ClonePool> {
    const client = typeof server === 'string' ? await connectAdmin(server) : server
    const pool = new ClonePool(client, options, ownsClient)
    await client.query(`LISTEN ${quoteIdent(claimChannel(options.runId))}`)
    client.on('notification', pool.#onClaim)
    pool.#enqueue(async () => {
      for (let slot = 1; slot <= options.workers; slot++) await pool.#create(workerCloneName(options, slot))
      if (options.sparesUpFront ?? true) await pool.#topUp()
    })
    return pool
  }

  /** Resolves once the clones queued so far exist (tests and benchmarks; workers never wait for it). */
  settled(): Promise<void> {
    return this.#work
  }

  /**
   * Drops every database of this run, spares and worker clones alike, and closes the admin connection.
   * `drop: false` only closes: for a server about to be stopped and removed with its data.
   */
  async close(keep: (name: string) => boolean = () => false, drop = true): Promise<void> {
    this.#closed = true
    await this.#work
    this.#client.off('notification', this.#onClaim)
    if (drop)
      for (const name of await databasesLike(this.#client, startsWith(runPrefix(this.#options.runId)))) {
        // Only this pool's template's: in watch mode the next pool of the same run is already up.
        if (!keep(name) && name.endsWith(`_${templateSuffix(this.#options)}`))
          await dropDatabase(this.#client, name)
      }
    if (this.#ownsClient) await this.#client.end()
  }

  #enqueue(task: () => Promise<void>) {
    // One statement at a time on one connection; a failure is logged, never unhandled.
    this.#work = this.#work.then(task).catch((error: unknown) => {
      if (!this.#closed) console.warn(`dsta-db: could not prepare a clone: ${(error as Error).message}`)
    })
  }

  async #topUp() {
    const { runId, spares, maxDatabases } = this.#options
    if (this.#closed) return
    const all = await databasesLike(this.#client, startsWith(runPrefix(runId)))
    const ready = all.filter((name) => isSpare(this.#options, name)).length
    for (
      let missing = spares - ready, alive = all.length;
      missing > 0 && alive < maxDatabases;
      missing--, alive++
    ) {
      await this.#create(spareName(this.#options, ++this.#sequence))
    }
  }

  async #create(name: string) {
    if (this.#closed) return
    try {
      await cloneDatabase(this.#client, name, this.#options.template)
    } catch (error) {
      if (!isDuplicateDatabase(error)) throw error // a worker made it first
    }
  }
}

/**
 * Worker side: gives `name` a fresh clone, taking a ready spare when there is one (a rename, ~1 ms),
 * else cloning the template. `client` is an admin connection to any other database of the server.
 */
export async function claimClone(client: pg.Client, names: RunNames, name: string): Promise<void> {
  const spares = await databasesLike(client, startsWith(`${runPrefix(names.runId)}s`))
  for (const spare of spares.filter((candidate) => isSpare(names, candidate))) {
    try {
      await client.query(`ALTER DATABASE ${quoteIdent(spare)} RENAME TO ${quoteIdent(name)}`)
      await client.query(`NOTIFY ${quoteIdent(claimChannel(names.runId))}`)
      return
    } catch (error) {
      // 3D000: another worker took it first; 55006: being created or dropped right now.
      if (pgCode(error) !== '3D000' && pgCode(error) !== '55006') throw error
    }
  }
  await cloneDatabase(client, name, names.template)
  await client.query(`NOTIFY ${quoteIdent(claimChannel(names.runId))}`)
}

/** Worker side: makes the worker slot's clone when the main process has not (yet) made it. */
export async function ensureClone(client: pg.Client, name: string, template: string): Promise<void> {
  try {
    await cloneDatabase(client, name, template)
  } catch (error) {
    if (!isDuplicateDatabase(error)) throw error
  }
}

/**
 * Whether a CREATE DATABASE lost to another one of the same name: 42P04 when the other had finished,
 * 23505 (pg_database's unique index) when both ran at once; either way the database now exists.
 */
function isDuplicateDatabase(error: unknown): boolean {
  return pgCode(error) === '42P04' || pgCode(error) === '23505'
}

/**
 * Worker side: a fresh copy of the template under `name`, replacing the database there (which a
 * test may have committed rows into). Connections to it are ended; reopen pools after.
 */
export async function replaceClone(client: pg.Client, name: string, template: string): Promise<void> {
  await dropDatabase(client, name)
  await ensureClone(client, name, template)
}
