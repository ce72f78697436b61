import pg from 'pg'
import { connectionError } from './errors.js'

/**
 * One session of our own for long work (a migration, a backup, a restore): no statement or idle
 * timeout, named for pg_stat_activity so that a lock error can point at it.
 */
export async function openSession(url: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName })
  client.on('error', () => {}) // a dropped connection surfaces as the failure of the pending query
  try {
    await client.connect()
    await client.query('SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0')
  } catch (error) {
    await client.end().catch(() => {})
    throw connectionError(url, error)
  }
  return client
}
