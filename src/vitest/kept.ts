import { DSTA_PREFIX, databasesLike, dropDatabase, startsWith, withAdminClient } from '../isolation/admin.js'

const KEPT_PREFIX = `${DSTA_PREFIX}keep_`

/** `dsta_keep_<time>_<file>`: sorting by name sorts by age. */
export function keptName(file: string, now = Date.now()): string {
  const slug = file
    .replace(/\.[cm]?[jt]sx?$/, '')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .slice(-40)
  return `${KEPT_PREFIX}${now.toString(36).padStart(9, '0')}_${slug}`.toLowerCase()
}

/** Drops kept databases beyond the newest `max`. */
export async function pruneKept(serverUrl: string, max: number): Promise<void> {
  await withAdminClient(serverUrl, async (client) => {
    const kept = await databasesLike(client, startsWith(KEPT_PREFIX))
    for (const name of kept.slice(0, Math.max(0, kept.length - max))) await dropDatabase(client, name)
  })
}
