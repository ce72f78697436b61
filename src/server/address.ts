/* Addresses of servers: light (no driver), so the CLI can read them before loading anything. */

/** The address the environment names: `DATABASE_URL`, else the guide's `DB_HOST / DB_PORT / DB_NAME / DB_USER / DB_PASSWORD`. */
export function externalUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DATABASE_URL) return env.DATABASE_URL
  if (!env.DB_HOST && !env.DB_NAME) return undefined
  const user = encodeURIComponent(env.DB_USER ?? 'postgres')
  const password = env.DB_PASSWORD ? `:${encodeURIComponent(env.DB_PASSWORD)}` : ''
  const host = env.DB_HOST ?? 'localhost'
  return `postgresql://${user}${password}@${host}:${env.DB_PORT ?? 5432}/${databasePath(env.DB_NAME ?? 'postgres')}`
}

/**
 * A database name as the path of an address. node-postgres reads the path with `decodeURI`, which
 * leaves `%2B` as it is: so `+`, `&`, `=` … are written as they are, and only what `encodeURI`
 * escapes (spaces, `%`, non-ASCII) is escaped. `databaseName()` reads it back the same way.
 */
export function databasePath(name: string): string {
  return encodeURI(name).replaceAll('?', '%3F').replaceAll('#', '%23')
}

/**
 * The address with its password masked, for messages. The password ends at the last `@` before the
 * host, so an unencoded `@` in it (`dsta:p@ss@host`) is masked whole.
 */
export function redact(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0]
  if (!scheme) return url
  const rest = url.slice(scheme.length)
  const query = rest.search(/[?#]/)
  const at = rest.lastIndexOf('@', (query < 0 ? rest.length : query) - 1)
  const colon = rest.indexOf(':')
  if (at < 0 || colon < 0 || colon > at) return url
  return `${scheme}${rest.slice(0, colon)}:***${rest.slice(at)}`
}
