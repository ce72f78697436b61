import { createHash } from 'node:crypto'
import { cloneDatabase, dropDatabase, quoteIdent, withAdminClient } from './admin.js'
import { DSTA_PREFIX, databaseUrl } from './names.js'

export interface TemplateRecipe {
  /** Hash of everything the template's content depends on: migration files, the runner's code, baked data options. */
  hash: string
  /** Fills the (empty) database at `url`. Must close every connection it opened before it returns. */
  build(url: string): Promise<void>
}

export interface Template {
  name: string
  /** False when a template with the same hash already existed and was reused. */
  built: boolean
}

const TEMPLATE_PREFIX = `${DSTA_PREFIX}tpl_`

/** The template's name: a function of the recipe's hash only, so every run and shard agrees on it. */
export function templateName(hash: string): string {
  return `${TEMPLATE_PREFIX}${hash.slice(0, 16)}`
}

export function isTemplateName(name: string): boolean {
  return name.startsWith(TEMPLATE_PREFIX)
}

/** sha256 over labelled parts, for recipe hashes. */
export function hashParts(parts: Record<string, string>): string {
  const hash = createHash('sha256')
  for (const [key, value] of Object.entries(parts).sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`${key}\0${value.length}\0${value}\0`)
  }
  return hash.digest('hex')
}

/**
 * Returns the template for `recipe`, building it when missing. Safe when several runs or shards race:
 * the build happens under a session advisory lock on one plain connection, into a scratch database
 * that is renamed only once complete, so a crashed build never leaves a half-made template.
 * The finished template refuses connections, so a clone never waits for one to close. `lookOn`, an
 * open admin client, is asked first: a template that stands needs no connection of its own.
 */
export async function ensureTemplate(
  serverUrl: string,
  recipe: TemplateRecipe,
  lookOn?: import('pg').Client,
): Promise<Template> {
  const name = templateName(recipe.hash)
  if (lookOn && (await isReady(lookOn, name))) return { name, built: false }
  return withAdminClient(serverUrl, async (client) => {
    if (await isReady(client, name)) return { name, built: false }
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name])
    try {
      if (await isReady(client, name)) return { name, built: false }
      await dropDatabase(client, name) // left by a crash between rename and the template flag
      const scratch = `${name}_build`
      await dropDatabase(client, scratch)
      await cloneDatabase(client, scratch, 'template0')
      try {
        await recipe.build(databaseUrl(serverUrl, scratch))
      } catch (error) {
        await dropDatabase(client, scratch)
        throw error
      }
      await client.query(`ALTER DATABASE ${quoteIdent(scratch)} RENAME TO ${quoteIdent(name)}`)
      await client.query(`ALTER DATABASE ${quoteIdent(name)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`)
      return { name, built: true }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name])
    }
  })
}

async function isReady(client: import('pg').Client, name: string): Promise<boolean> {
  const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [name])
  return result.rowCount === 1
}
