import pg from 'pg'

/**
 * Opens a plain `pg` client (no Slonik: admin statements must run outside any transaction), runs `fn`,
 * closes it. Given an open admin client instead of an address, runs `fn` on it and leaves it open.
 */
export async function withAdminClient<T>(
  server: string | pg.Client,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  if (typeof server !== 'string') return fn(server)
  const client = await connectAdmin(server)
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export async function connectAdmin(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'dsta-db', keepAlive: true })
  client.on('error', () => {}) // a server stopping under an idle client is not our caller's error
  await client.connect()
  return client
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** `CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`: a file copy, ~10–20 ms on tmpfs, whatever the data size. */
export async function cloneDatabase(client: pg.Client, name: string, template: string): Promise<void> {
  await client.query(
    `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)} STRATEGY FILE_COPY`,
  )
}

/** Drops a database even when a forgotten pool is still connected to it (pgtestdb's worst cleanup bug). */
export async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)
}

export async function databasesLike(client: pg.Client, pattern: string): Promise<string[]> {
  const result = await client.query<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname',
    [pattern],
  )
  return result.rows.map((row) => row.datname)
}

/** PostgreSQL error code of a failed query, e.g. `42P04` (duplicate database), `3D000` (no such database). */
export function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined
}

/** A LIKE pattern matching names that start with `prefix` (`_` and `%` in it taken literally). */
export function startsWith(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`
}
