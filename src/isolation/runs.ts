import { randomInt } from 'node:crypto'
import pg from 'pg'
import { connectAdmin, databasesLike, dropDatabase, quoteIdent, startsWith } from './admin.js'
import { DSTA_PREFIX } from './names.js'

// Namespaces (the first key of the two-key advisory locks) of the locks a run holds on the server.
/** One per live run, key = its id: PostgreSQL releases it the moment the run's connection dies. */
const RUN_LOCKS = 0x44535441
/** Shared by every live run using a template (key = hashtext of its name); a pruner needs it alone. */
const TEMPLATE_LOCKS = 0x44535442
/** Serialises updates of a template's use record (its database comment). */
const RECORD_LOCKS = 0x44535443

/** A run's databases: `dsta_<6 hex>_w…` (worker slot), `_s…` (spare), `_f…` (a file's own). */
const RUN_DATABASE = /^dsta_([0-9a-f]{6})_[wsf]/
const TEMPLATE_BUILD = /^(dsta_tpl_[0-9a-f]{16})_build$/
const RECORD_PREFIX = 'dsta-db template; last used by project (epoch ms): '

/** Templates a project keeps on a shared server: the most recently used by it. */
export const TEMPLATES_KEPT = 3

/**
 * A run's hold on a shared server, on one connection that lives as long as the run: it owns the
 * run id (an advisory lock PostgreSQL releases when the connection dies, SIGKILL or lost machine
 * alike) and a shared lock on each template it uses. What a dead run left is then provably
 * abandoned: its id's lock is free.
 */
export class RunLease {
  readonly runId: string
  readonly client: pg.Client
  readonly #held = new Set<string>()
  #released = false

  private constructor(runId: string, client: pg.Client) {
    this.runId = runId
    this.client = client
  }

  /**
   * Calls `listener` once if the connection is lost before `release()`: the server died or the
   * network went, and with it this run's hold on the server. Keepalive probes notice a silent peer.
   */
  onLost(listener: (error: unknown) => void): void {
    let called = false
    const lost = (error: unknown) => {
      if (this.#released || called) return
      called = true
      listener(error ?? new Error('Connection terminated unexpectedly'))
    }
    this.client.on('error', lost)
    this.client.on('end', () => lost(undefined))
  }

  /** Connects and takes a fresh run id (one no live run holds). */
  static async acquire(serverUrl: string): Promise<RunLease> {
    const client = await connectAdmin(serverUrl)
    try {
      for (;;) {
        const id = randomInt(1, 0xffffff)
        const { rows } = await client.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [RUN_LOCKS, id])
        if (rows[0].ok) return new RunLease(id.toString(16).padStart(6, '0'), client)
      }
    } catch (error) {
      await client.end().catch(() => {})
      throw error
    }
  }

  /** Marks `template` used by this run before it is looked for or built: no pruner drops it now. */
  async holdTemplate(template: string): Promise<void> {
    if (this.#held.has(template)) return
    await this.client.query('SELECT pg_advisory_lock_shared($1, hashtext($2))', [TEMPLATE_LOCKS, template])
    this.#held.add(template)
  }

  /**
   * Records that `project` used `template` now (server clock: CI machines' clocks differ), in the
   * template's comment. One statement, so it may share the connection with a ClonePool.
   */
  async recordUse(template: string, project: string): Promise<void> {
    const name = pg.escapeLiteral(template)
    await this.client
      .query(
        `DO $dsta$ DECLARE note text; used jsonb; BEGIN
          PERFORM pg_advisory_xact_lock(${RECORD_LOCKS}, hashtext(${name}));
          SELECT shobj_description(oid, 'pg_database') INTO note FROM pg_database WHERE datname = ${name};
          used := CASE WHEN note LIKE ${pg.escapeLiteral(`${RECORD_PREFIX}%`)}
            THEN substr(note, ${RECORD_PREFIX.length + 1})::jsonb ELSE '{}' END;
          used := used || jsonb_build_object(${pg.escapeLiteral(project)}, floor(extract(epoch FROM now()) * 1000));
          EXECUTE format('COMMENT ON DATABASE %I IS %L', ${name}, ${pg.escapeLiteral(RECORD_PREFIX)} || used::text);
        END $dsta$`,
      )
      .catch(() => {}) // not the owner (another role made it): it is simply never pruned by us
  }

  /**
   * Drops the databases of runs that died (their id's lock is free), and half-built templates of
   * builds that died (their build lock is free). Never a live run's, never a kept or a template.
   */
  async sweepDeadRuns(): Promise<string[]> {
    // Databases first, then locks: a run takes its lock before it makes any database, so a database
    // listed here whose run is alive has its lock in the list read after.
    const names = await databasesLike(this.client, startsWith(DSTA_PREFIX))
    const { rows } = await this.client.query<{ id: string }>(
      `SELECT objid::text AS id FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2`,
      [RUN_LOCKS],
    )
    const live = new Set(rows.map((row) => Number(row.id)))
    const swept: string[] = []
    for (const name of names) {
      const run = RUN_DATABASE.exec(name)?.[1]
      if (run && !live.has(Number.parseInt(run, 16))) {
        if (
          await dropDatabase(this.client, name).then(
            () => true,
            () => false,
          )
        )
          swept.push(name)
      }
      const template = TEMPLATE_BUILD.exec(name)?.[1]
      if (template && (await this.#tryLock('pg_try_advisory_lock(hashtext($1))', [template]))) {
        try {
          await dropDatabase(this.client, name)
          swept.push(name)
        } finally {
          await this.client.query('SELECT pg_advisory_unlock(hashtext($1))', [template])
        }
      }
    }
    return swept
  }

  /**
   * Of the templates `project` used, keeps the `keep` most recently used (and any a live run holds);
   * from the others it removes its record, and drops those no project's record still names.
   */
  async pruneTemplates(project: string, keep = TEMPLATES_KEPT): Promise<string[]> {
    const { rows } = await this.client.query<{ name: string; note: string }>(
      `SELECT datname AS name, shobj_description(oid, 'pg_database') AS note FROM pg_database
       WHERE datistemplate AND datname LIKE $1 AND shobj_description(oid, 'pg_database') LIKE $2`,
      [startsWith(`${DSTA_PREFIX}tpl_`), startsWith(RECORD_PREFIX)],
    )
    const ours = rows
      .map(({ name, note }) => ({ name, used: parseRecord(note) }))
      .filter((template): template is { name: string; used: Record<string, number> } =>
        Boolean(template.used && project in template.used),
      )
      .sort((a, b) => (b.used[project] ?? 0) - (a.used[project] ?? 0))
    const dropped: string[] = []
    for (const { name, used } of ours.slice(keep)) {
      if (this.#held.has(name)) continue
      if (!(await this.#tryLock('pg_try_advisory_lock($1, hashtext($2))', [TEMPLATE_LOCKS, name]))) continue
      try {
        const others = Object.keys(used).filter((key) => key !== project)
        if (others.length > 0) {
          const rest = Object.fromEntries(others.map((key) => [key, used[key]]))
          await this.client.query(
            `COMMENT ON DATABASE ${quoteIdent(name)} IS ${pg.escapeLiteral(RECORD_PREFIX + JSON.stringify(rest))}`,
          )
          continue
        }
        await this.client.query(`ALTER DATABASE ${quoteIdent(name)} WITH IS_TEMPLATE false`)
        await dropDatabase(this.client, name)
        dropped.push(name)
      } catch {
        // not the owner, or in use right now: it stays until a later run
      } finally {
        await this.client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [TEMPLATE_LOCKS, name])
      }
    }
    return dropped
  }

  /** Ends the connection: the run's locks go with it. */
  release(): Promise<void> {
    this.#released = true
    return this.client.end().catch(() => {})
  }

  async #tryLock(call: string, params: unknown[]): Promise<boolean> {
    const { rows } = await this.client.query(`SELECT ${call} AS ok`, params)
    return rows[0].ok === true
  }
}

function parseRecord(note: string): Record<string, number> | undefined {
  try {
    const used = JSON.parse(note.slice(RECORD_PREFIX.length))
    return typeof used === 'object' && used !== null ? used : undefined
  } catch {
    return undefined
  }
}

/** Whether `name` is a database of the run `runId` (for tests and messages). */
export function isRunDatabase(name: string, runId: string): boolean {
  return RUN_DATABASE.exec(name)?.[1] === runId
}
