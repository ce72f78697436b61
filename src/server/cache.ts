import { chmod, lstat, mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from './run.js'
import { type RunAs, userName } from './user.js'

/**
 * The cache (clusters, snapshots, copied binaries) belongs to the user who runs dsta-db, and no one
 * else may write in it: not other users, not the server's own user (`nobody` when we are root),
 * whose processes `COPY … TO PROGRAM` could reach. A run copies what it starts from and hands the
 * copy to the server's user; the cached originals stay ours.
 */

/** The superuser's password of a cached cluster and its snapshots, in a file only its owner reads. */
export const PASSWORD_FILE = 'dsta-db.password'

function me(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined
}

/** Throws unless `path` is ours and only we may write in it (the sticky /tmp-like modes included). */
export async function checkOwned(path: string, what: string): Promise<void> {
  const uid = me()
  if (uid === undefined) return // Windows: no owners to compare
  const found = await lstat(path)
  if (found.isSymbolicLink())
    throw new Error(`${what} ${path} is a symbolic link: dsta-db uses only folders it made itself; remove it`)
  const problem =
    found.uid !== uid
      ? `belongs to ${userName(found.uid)}, not to you (uid ${uid})`
      : (found.mode & 0o022) !== 0
        ? `is writable by others (mode ${(found.mode & 0o777).toString(8)})`
        : undefined
  if (problem)
    throw new Error(
      `${what} ${path} ${problem}: dsta-db refuses a cache it did not make. ` +
        'Remove it, or set DSTA_DB_TMPDIR to a folder of your own.',
    )
}

/** Creates the base folder (open for traversal: the server's user must pass through) and checks it is ours. */
export async function ensureCacheDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o755 })
  await checkOwned(path, 'the cache folder')
  await chmod(path, 0o755) // ours: a `mktemp -d` folder (0700) is opened for the server's user to pass
}

/** A cluster's or snapshot's password (made with the cluster; a snapshot keeps its cluster's). */
export async function readPassword(dataDir: string): Promise<string> {
  await checkOwned(join(dataDir, PASSWORD_FILE), "the server's password file")
  return (await readFile(join(dataDir, PASSWORD_FILE), 'utf8')).trim()
}

/**
 * Copies a cached data folder to `target` and gives the copy to the server's user (one process).
 * A `postmaster.pid` in the cache (a folder copied while its server ran, or planted) is stale by
 * construction, the copy being new: left in, it would make postgres refuse to start when its pid
 * is alive ("lock file already exists").
 */
export async function copyForServer(source: string, target: string, user: RunAs | undefined): Promise<void> {
  const copy = 'cp -a "$1" "$2" && rm -f "$2/postmaster.pid"'
  await run('sh', [
    '-c',
    user ? `${copy} && chown -R "$3" "$2"` : copy,
    'copy',
    source,
    target,
    user ? `${user.uid}:${user.gid}` : '',
  ])
}

/** Takes a data folder back from the server's user before it goes into the cache. */
export async function takeBack(dataDir: string, user: RunAs | undefined): Promise<void> {
  const uid = me()
  if (!user || uid === undefined) return
  const gid = typeof process.getgid === 'function' ? process.getgid() : uid
  await run('sh', ['-c', 'chown -R "$2" "$1" && chmod 700 "$1"', 'take-back', dataDir, `${uid}:${gid}`])
}
