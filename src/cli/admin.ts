import pg from 'pg'
import { databasePath, redact } from '../server/address.js'
import { CliError, databaseName, rootMessage } from './context.js'

/** Databases a reset must never drop: the server's own. */
const PROTECTED = new Set(['postgres', 'template0', 'template1'])

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  client.on('error', () => {}) // a server gone mid-command surfaces as the query's error
  await client.connect()
  return client
}

/** The same server and credentials, database `postgres` (else `template1`): where CREATE / DROP DATABASE run. */
export async function connectMaintenance(url: string): Promise<pg.Client> {
  let lastError: unknown
  for (const name of ['postgres', 'template1']) {
    const address = new URL(url)
    address.pathname = `/${databasePath(name)}`
    try {
      return await connect(address.toString())
    } catch (error) {
      lastError = error
    }
  }
  throw new CliError(`cannot connect to the server of ${redact(url)}: ${rootMessage(lastError)}`)
}

/** Creates the database of `url` when it does not exist yet (the guide's `createdb`). */
export async function ensureDatabase(url: string): Promise<'created' | 'exists'> {
  try {
    await (await connect(url)).end()
    return 'exists'
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000')
      throw new CliError(`cannot connect to ${redact(url)}: ${rootMessage(error)}`)
  }
  const admin = await connectMaintenance(url)
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(databaseName(url))}`)
    return 'created'
  } catch (error) {
    throw new CliError(`cannot create database "${databaseName(url)}": ${rootMessage(error)}`)
  } finally {
    await admin.end()
  }
}

/** Drops the database of `url` (closing its sessions) and creates it empty: `dropdb` + `createdb`. */
export async function recreateDatabase(url: string): Promise<void> {
  const name = databaseName(url)
  if (PROTECTED.has(name))
    throw new CliError(
      `refusing to drop the server's own database "${name}": point --database-url at a database of its own, e.g. …/dsta_dev`,
      2,
    )
  const admin = await connectMaintenance(url)
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
  } catch (error) {
    throw new CliError(`cannot recreate database "${name}": ${rootMessage(error)}`)
  } finally {
    await admin.end()
  }
}

/** What `dsta-db up` writes on the databases it creates: the production guard lets commands empty or drop them. */
export const UP_MARK = 'made by dsta-db up'

/** Marks the database of `url` as made by `dsta-db up` (a comment on the database). */
export async function markAsOurs(url: string): Promise<void> {
  const client = await connect(url)
  try {
    await client.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(databaseName(url))} IS '${UP_MARK}'`)
  } finally {
    await client.end()
  }
}
