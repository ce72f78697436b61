import { DSTA_PREFIX, databasesLike, dropDatabase, startsWith, withAdminClient } from '../isolation/admin.js'

const KEPT_PREFIX = `${DSTA_PREFIX}keep_`

/**
 * The embedded server ends with the run: when a run kept failed databases, its data folder is saved
 * as this snapshot (replacing the last one), and `dsta-db up --snapshot kept` serves them again.
 */
export const KEPT_SNAPSHOT = 'kept'

/** `dsta_keep_<time>_<file>`: sorting by name sorts by age. */
export function keptName(file: string, now = Date.now()): string {
  const slug = file
    .replace(/\.[cm]?[jt]sx?$/, '')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .slice(-40)
  return `${KEPT_PREFIX}${now.toString(36).padStart(9, '0')}_${slug}`.toLowerCase()
}

/** The kept databases on the server, oldest first. */
export async function listKept(serverUrl: string): Promise<string[]> {
  return withAdminClient(serverUrl, (client) => databasesLike(client, startsWith(KEPT_PREFIX)))
}

/** Drops kept databases beyond the newest `max`. */
export async function pruneKept(serverUrl: string, max: number): Promise<void> {
  await withAdminClient(serverUrl, async (client) => {
    const kept = await databasesLike(client, startsWith(KEPT_PREFIX))
    for (const name of kept.slice(0, Math.max(0, kept.length - max))) await dropDatabase(client, name)
  })
}
