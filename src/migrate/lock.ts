import type pg from 'pg'
import { MigrationError } from './errors.js'
import { sha256 } from './files.js'

/**
 * The advisory lock key: a hash of the database and history table, so migrators of different
 * databases on one server never wait for each other (a fixed key would serialise them all).
 */
export function lockKey(database: string, historyTable: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${sha256(`dsta-db:${database}:${historyTable}`).slice(0, 16)}`))
}

/**
 * Takes the session-level lock on `client`, the one connection that then runs every file, so lock
 * and unlock always land on the same session. It polls `pg_try_advisory_lock` rather than blocking
 * in `pg_advisory_lock`: a blocked waiter sits in an open transaction, and a `CREATE INDEX
 * CONCURRENTLY` run by the holder would wait for that transaction to end, forever (Flyway's hang).
 */
export async function acquireLock(
  client: pg.Client,
  key: bigint,
  timeoutMs: number,
  onWait: (holder: string) => void,
): Promise<number> {
  const started = performance.now()
  let pause = 20
  let reported = false
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      key.toString(),
    ])
    if (rows[0]?.locked) return performance.now() - started
    const waited = performance.now() - started
    if (!reported) {
      onWait(await describeHolder(client, key))
      reported = true
    }
    if (waited >= timeoutMs) {
      const holder = await describeHolder(client, key)
      const database = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db
      throw new MigrationError(
        'LOCK_TIMEOUT',
        `another migrator holds the migration lock of database "${database}" and did not release it within ` +
          `${timeoutMs} ms: ${holder}. Wait for it to finish and run again (or raise lockTimeoutMs); ` +
          'if that session is stuck, end it with SELECT pg_terminate_backend(<pid>).',
      )
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, timeoutMs - waited)))
    pause = Math.min(pause * 2, 100)
  }
}

export async function releaseLock(client: pg.Client, key: bigint): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1)', [key.toString()])
}

/** Who holds the lock, from pg_locks and pg_stat_activity: pid, application, user, state, since when. */
async function describeHolder(client: pg.Client, key: bigint): Promise<string> {
  const unsigned = BigInt.asUintN(64, key)
  const { rows } = await client.query<{
    pid: number
    application_name: string | null
    usename: string | null
    client_addr: string | null
    state: string | null
    backend_start: Date | null
  }>(
    `SELECT l.pid, a.application_name, a.usename, a.client_addr::text, a.state, a.backend_start
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid`,
    [(unsigned >> 32n).toString(), (unsigned & 0xffffffffn).toString()],
  )
  const row = rows[0]
  if (!row) return 'its holder has just released it'
  const app = row.application_name ? `application "${row.application_name}"` : 'no application_name'
  const from = row.client_addr ? ` from ${row.client_addr}` : ''
  const since = row.backend_start ? `, connected since ${row.backend_start.toISOString()}` : ''
  return `pid ${row.pid} (${app}, user ${row.usename ?? '?'}${from}, state ${row.state ?? '?'}${since})`
}
