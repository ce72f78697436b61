import { findBinaries } from './binaries.js'
import { startContainer } from './container.js'
import { startEmbedded } from './embedded.js'
import { externalUrl, startExternal } from './external.js'
import type { StartedPostgres, StartOptions } from './types.js'

export { databasePath, externalUrl, redact } from './address.js'
export { dockerUnavailableReason } from './container.js'
export { defaultBaseDir, startEmbedded } from './embedded.js'
export type { EmbeddedOptions, ProviderName, StartedPostgres, StartOptions } from './types.js'

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
      return startContainer(options.image ?? `postgres:${embeddedMajor()}-alpine`)
    case 'embedded':
      return startEmbedded(options)
    default:
      throw new Error(`unknown provider "${provider}": use auto, embedded, container or external`)
  }
}

/** The container runs the same major version as the embedded binaries, so both behave alike. */
function embeddedMajor(): string {
  try {
    return findBinaries().version.split('.')[0] ?? '18'
  } catch {
    return '18'
  }
}
