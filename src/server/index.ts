import { findBinaries } from './binaries.js'
import { startContainer } from './container.js'
import { startEmbedded } from './embedded.js'
import { externalUrl, startExternal } from './external.js'
import type { StartedPostgres, StartOptions } from './types.js'

export { databasePath, externalUrl, redact } from './address.js'
export { defaultBaseDir, startEmbedded } from './embedded.js'
export type { EmbeddedOptions, ProviderName, StartedPostgres, StartOptions } from './types.js'

/**
 * Why Docker cannot be used here, or undefined when its daemon answers a ping. A wrapper, so that the
 * public types never name `testcontainers` (an optional peer a project may not have).
 */
export async function dockerUnavailableReason(
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  return (await import('./docker.js')).dockerUnavailableReason(env)
}

/** Why the container provider cannot run `image` here (no Docker, no such image), or undefined when it can. */
export async function containerUnavailableReason(image: string): Promise<string | undefined> {
  return (await import('./docker.js')).containerUnavailableReason(image)
}

/**
 * Starts (or, for `external`, finds) a PostgreSQL server. `auto` picks external when an address is
 * configured, else embedded; container only when asked for.
 */
export async function startPostgres(options: StartOptions = {}): Promise<StartedPostgres> {
  const env = options.env ?? process.env
  const url = options.url ?? externalUrl(env)
  const provider =
    options.provider && options.provider !== 'auto' ? options.provider : url ? 'external' : 'embedded'
  switch (provider) {
    case 'external':
      if (!url)
        throw new Error(
          'provider "external" needs DATABASE_URL, or DB_HOST / DB_PORT / DB_NAME / DB_USER / DB_PASSWORD',
        )
      return startExternal(url)
    case 'container':
      return startContainer({
        image: containerImage(options.image, env),
        ...(options.snapshot === undefined ? {} : { snapshot: options.snapshot }),
        ...(options.settings === undefined ? {} : { settings: options.settings }),
        ...(options.port === undefined ? {} : { port: options.port }),
      })
    case 'embedded':
      return startEmbedded(options)
    default:
      throw new Error(`unknown provider "${provider}": use auto, embedded, container or external`)
  }
}

/**
 * The container provider's image: the one asked for (option, CLI flag), else `DSTA_DB_IMAGE`, else
 * the official image of the embedded binaries' major version, so that both providers behave alike.
 */
export function containerImage(image: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return image || env.DSTA_DB_IMAGE || `postgres:${embeddedMajor()}-alpine`
}

function embeddedMajor(): string {
  try {
    return findBinaries().version.split('.')[0] ?? '18'
  } catch {
    return '18'
  }
}
