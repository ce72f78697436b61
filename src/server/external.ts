import pg from 'pg'
import { redact } from './address.js'
import type { StartedPostgres } from './types.js'

export { databasePath, externalUrl, redact } from './address.js'

/** Uses a server that is already running; checks that it answers, starts and stops nothing. */
export async function startExternal(url: string): Promise<StartedPostgres> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  let version: string
  try {
    await client.connect()
    const result = await client.query<{ server_version: string }>('SHOW server_version')
    version = result.rows[0]?.server_version.split(' ')[0] ?? 'unknown'
  } catch (error) {
    throw new Error(`could not reach the external PostgreSQL at ${redact(url)}: ${(error as Error).message}`)
  } finally {
    await client.end().catch(() => {})
  }
  return { url, provider: 'external', version, stop: async () => {} }
}
