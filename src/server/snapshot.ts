import { readdir, rename, rm, stat, utimes } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Snapshots kept per cluster; the least recently used go first. */
const KEEP = 3

/**
 * A snapshot is a data folder saved by a clean shutdown, next to the cluster it grew from
 * (`cluster-18.4-<key>.snapshot-<name>`), so it is dropped with a change of binaries too. A start
 * copies it instead of the bare cluster and so begins with, for example, a template database built.
 */
function snapshotPath(cluster: string, name: string): string {
  return `${cluster}.snapshot-${name}`
}

export function checkSnapshotName(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
    throw new Error(`snapshot name "${name}" must be 1–64 letters, digits, _ or -`)
  return name
}

/** The snapshot's folder when it exists; marks it as used now, for pruning. */
export async function findSnapshot(cluster: string, name: string): Promise<string | undefined> {
  const path = snapshotPath(cluster, checkSnapshotName(name))
  const found = await stat(join(path, 'PG_VERSION')).then(
    () => true,
    () => false,
  )
  if (!found) return undefined
  const now = new Date()
  await utimes(path, now, now).catch(() => {})
  return path
}

/** Moves a cleanly stopped data folder into place as the snapshot (a rename: no copy), then prunes. */
export async function saveSnapshot(
  cluster: string,
  name: string,
  dataDir: string,
  replace = false,
): Promise<void> {
  const path = snapshotPath(cluster, name)
  await rm(join(dataDir, 'postmaster.opts'), { force: true })
  if (replace) await rm(path, { recursive: true, force: true })
  await rename(dataDir, path).catch(() => {}) // another run saved the same snapshot first: keep theirs
  const prefix = `${basename(cluster)}.snapshot-`
  const siblings = (await readdir(dirname(cluster))).filter((entry) => entry.startsWith(prefix))
  const dated = await Promise.all(
    siblings.map(async (entry) => {
      const full = join(dirname(cluster), entry)
      return { full, used: (await stat(full)).mtimeMs }
    }),
  )
  const stale = dated.sort((a, b) => b.used - a.used).slice(KEEP)
  await Promise.all(stale.map(({ full }) => rm(full, { recursive: true, force: true })))
}
