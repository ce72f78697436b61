import { createHash } from 'node:crypto'
import { mkdtemp, rename, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { type Binaries, binariesIdentity } from './binaries.js'
import { checkOwned } from './cache.js'
import { ownerTag } from './orphans.js'
import { run } from './run.js'
import type { RunAs } from './user.js'

/** Whether `user` may pass through every folder above `path` and execute it (root sees no EACCES itself). */
async function reachableBy(user: RunAs, path: string): Promise<boolean> {
  for (let current = path; ; current = dirname(current)) {
    const { mode, uid, gid } = await stat(current)
    const bits = uid === user.uid ? mode >> 6 : gid === user.gid ? mode >> 3 : mode
    if ((bits & 0o1) === 0) return false
    if (dirname(current) === current) return true
  }
}

/**
 * The binaries as the unprivileged server user can run them. A project under a folder closed to
 * others (`/root/project`, or a `mktemp -d` folder) holds binaries `nobody` cannot reach; then the
 * whole `native/` folder (bin, lib, share: postgres finds the others relative to itself) is copied
 * once into the base folder, which is open to it.
 */
/** Fails clearly when the server user could not even enter the base folder. */
export async function checkBaseDir(user: RunAs | undefined, baseDir: string): Promise<void> {
  if (user && !(await reachableBy(user, baseDir)))
    throw new Error(
      `PostgreSQL runs as uid ${user.uid} (it refuses root) and cannot enter ${baseDir}: ` +
        'set DSTA_DB_TMPDIR to a folder whose parents are open to others, e.g. /dev/shm/dsta-db or /tmp/dsta-db',
    )
}

export async function reachableBinaries(
  binaries: Binaries,
  user: RunAs | undefined,
  baseDir: string,
): Promise<Binaries> {
  const postgres = join(binaries.binDir, 'postgres')
  if (!user || (await reachableBy(user, postgres))) return binaries
  const nativeDir = dirname(binaries.binDir)
  const key = createHash('sha256').update(binariesIdentity(binaries)).digest('hex').slice(0, 12)
  const copy = join(baseDir, `binaries-${binaries.version}-${key}`)
  const copied = await stat(join(copy, 'bin', 'postgres')).then(
    () => true,
    () => false,
  )
  if (copied) await checkOwned(copy, 'the copied binaries')
  else {
    // Named like the cluster's build folder, so a crashed copy is swept as stale by the next start.
    const building = await mkdtemp(join(baseDir, `building-${ownerTag()}-`))
    try {
      await run('cp', ['-a', nativeDir, join(building, 'native')])
      await run('chmod', ['-R', 'a+rX', building])
      await rename(join(building, 'native'), copy).catch(() => {}) // a racing run won: use its copy
    } finally {
      await rm(building, { recursive: true, force: true })
    }
  }
  return { ...binaries, binDir: join(copy, 'bin') }
}
