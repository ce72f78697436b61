import { createHash, randomBytes } from 'node:crypto'
import { chown, mkdtemp, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Binaries, binariesIdentity } from './binaries.js'
import { checkOwned, PASSWORD_FILE, takeBack } from './cache.js'
import { ownerTag } from './orphans.js'
import { run } from './run.js'
import type { RunAs } from './user.js'

export { run } from './run.js'

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

/**
 * An initialised cluster kept under `baseDir`, keyed by the binaries: initdb costs about a second,
 * copying its result a fraction of that. Built in a temporary folder and renamed into place, so
 * runs racing for it never see half a cluster.
 */
export async function cachedCluster(
  binaries: Binaries,
  baseDir: string,
  user: RunAs | undefined,
): Promise<string> {
  // 1 MB WAL segments instead of 16: the copy made for every start is 40 % smaller. A password
  // (random per cluster, kept in it, readable by its owner alone): no other local user gets in.
  const options = [
    '-U',
    'postgres',
    '-A',
    'scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
    '--wal-segsize=1',
    // One SCRAM iteration instead of 4096: the password is 192 random bits, which no iteration count
    // strengthens, and every connection of every test would pay ~1 ms per thousand (PostgreSQL ≥ 16).
    // And initdb's own servers keep dynamic shared memory in the folder, as ours do: an initdb
    // killed halfway leaves no /dev/shm/PostgreSQL.* segment, its folder is swept like any other.
    ...(Number.parseInt(binaries.version, 10) >= 16
      ? ['-c', 'scram_iterations=1', '-c', 'dynamic_shared_memory_type=mmap']
      : []),
  ]
  const identity = [binariesIdentity(binaries), ...options].join('\0')
  const key = createHash('sha256').update(identity).digest('hex').slice(0, 12)
  const cluster = join(baseDir, `cluster-${binaries.version}-${key}`)
  if (await exists(join(cluster, 'PG_VERSION'))) {
    await checkOwned(cluster, 'the cached cluster')
    const now = new Date()
    await utimes(cluster, now, now).catch(() => {}) // used now: pruning keeps the recent ones
    return cluster
  }
  const building = await mkdtemp(join(baseDir, `building-${ownerTag()}-`))
  try {
    if (user) await chown(building, user.uid, user.gid)
    const password = randomBytes(24).toString('base64url')
    const passwordFile = join(building, 'password')
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 })
    if (user) await chown(passwordFile, user.uid, user.gid)
    const dataDir = join(building, 'data')
    await run(join(binaries.binDir, 'initdb'), ['-D', dataDir, ...options, `--pwfile=${passwordFile}`], {
      user,
      cwd: building,
    })
    await writeFile(join(dataDir, PASSWORD_FILE), password, { mode: 0o600 })
    await takeBack(dataDir, user) // the cache is ours: the server gets a copy
    await rename(dataDir, cluster).catch(async (error) => {
      // Another run finished first: its cluster is as good as ours.
      if (!(await exists(join(cluster, 'PG_VERSION')))) throw error
    })
  } finally {
    await rm(building, { recursive: true, force: true })
  }
  await pruneClusters(baseDir)
  return cluster
}

/** Clusters kept in the cache; older binaries' clusters (and their snapshots) go, least recently used first. */
const CLUSTERS_KEPT = 3

async function pruneClusters(baseDir: string): Promise<void> {
  const clusters = (await readdir(baseDir)).filter((entry) => /^cluster-[\d.]+-[0-9a-f]{12}$/.test(entry))
  const dated = await Promise.all(
    clusters.map(async (entry) => ({ entry, used: (await stat(join(baseDir, entry))).mtimeMs })),
  )
  for (const { entry } of dated.sort((a, b) => b.used - a.used).slice(CLUSTERS_KEPT)) {
    const related = (await readdir(baseDir)).filter(
      (name) => name === entry || name.startsWith(`${entry}.snapshot-`),
    )
    await Promise.all(related.map((name) => rm(join(baseDir, name), { recursive: true, force: true })))
  }
}

export { isAlive, removeStaleRuns } from './orphans.js'
