import pg from 'pg'
import { connectionError } from '../migrate/errors.js'

/** One session of our own for a backup or restore: no statement timeout, named for pg_stat_activity. */
export async function connectTo(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'dsta-db backup' })
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
