import pg from 'pg'
import type { StartedPostgres } from './types.js'

/** The address the environment names: `DATABASE_URL`, else the guide's `DB_HOST / DB_PORT / DB_NAME / DB_USER / DB_PASSWORD`. */
export function externalUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DATABASE_URL) return env.DATABASE_URL
  if (!env.DB_HOST && !env.DB_NAME) return undefined
  const user = encodeURIComponent(env.DB_USER ?? 'postgres')
  const password = env.DB_PASSWORD ? `:${encodeURIComponent(env.DB_PASSWORD)}` : ''
  const host = env.DB_HOST ?? 'localhost'
  return `postgresql://${user}${password}@${host}:${env.DB_PORT ?? 5432}/${encodeURIComponent(env.DB_NAME ?? 'postgres')}`
}

/**
 * The address with its password masked, for messages: in the user part (a raw `@` in the password
 * included: the host starts after the last `@`), and a `password=` query parameter.
 */
export function redact(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^/?#]*@(?=[^@/?#]*(?:[/?#]|$))/i, '$1***@')
    .replace(/([?&]password=)[^&#]*/gi, '$1***')
}

/** Every password-looking part of `text` masked: the addresses it holds, redacted one by one. */
export function redactText(text: string): string {
  return text.replace(/\bpostgres(?:ql)?:\/\/\S+/gi, (url) => redact(url))
}

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
