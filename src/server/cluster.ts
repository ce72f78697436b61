import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { type Binaries, binariesIdentity } from './binaries.js'
import type { RunAs } from './user.js'

/** Runs a command to completion; rejects with its output when it fails. */
export function run(
  command: string,
  args: string[],
  options: { user?: RunAs | undefined; cwd?: string | undefined } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, uid: options.user?.uid, gid: options.user?.gid })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(output)
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.trim()}`))
    })
  })
}

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
  // 1 MB WAL segments instead of 16: the copy made for every start is 40 % smaller.
  const options = [
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
    '--wal-segsize=1',
  ]
  const identity = [binariesIdentity(binaries), ...options].join('\0')
  const key = createHash('sha256').update(identity).digest('hex').slice(0, 12)
  const cluster = join(baseDir, `cluster-${binaries.version}-${key}`)
  if (await exists(join(cluster, 'PG_VERSION'))) {
    const now = new Date()
    await utimes(cluster, now, now).catch(() => {}) // used now: pruning keeps the recent ones
    return cluster
  }
  const building = await mkdtemp(join(baseDir, `building-${process.pid}-`))
  if (user) await chown(building, user.uid, user.gid)
  const dataDir = join(building, 'data')
  await run(join(binaries.binDir, 'initdb'), ['-D', dataDir, ...options], { user, cwd: building })
  try {
    await rename(dataDir, cluster)
  } catch (error) {
    // Another run finished first: its cluster is as good as ours.
    if (!(await exists(join(cluster, 'PG_VERSION')))) throw error
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

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Stops the postmaster recorded in `dataDir` if it still runs (immediate shutdown). */
async function stopOrphan(dataDir: string): Promise<void> {
  const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0])
  if (!pid || !isAlive(pid)) return
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => 'postgres')
  if (!command.includes('postgres')) return // the pid was reused by something else
  process.kill(pid, 'SIGQUIT')
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50))
}

/**
 * Removes what runs that died without stopping left under `baseDir`: folders are named after the
 * pid of the process that made them (`run-<pid>-…`, `building-<pid>-…`); a dead owner means stale.
 */
export async function removeStaleRuns(baseDir: string): Promise<string[]> {
  const removed: string[] = []
  for (const entry of await readdir(baseDir).catch(() => [])) {
    const owner = /^(?:run|building)-(\d+)-/.exec(entry)?.[1]
    if (!owner || isAlive(Number(owner))) continue
    const folder = join(baseDir, entry)
    await stopOrphan(join(folder, 'data'))
    await rm(folder, { recursive: true, force: true })
    removed.push(folder)
  }
  return removed
}

/** Creates the base folder, open for traversal: the unprivileged server must pass through it. */
export async function ensureDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true })
  await chmod(path, 0o755).catch(() => {}) // not ours to change: the server's own error will say so
}
