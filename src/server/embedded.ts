import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, existsSync } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findBinaries } from './binaries.js'
import { checkOwned, copyForServer, ensureCacheDir, PASSWORD_FILE, readPassword, takeBack } from './cache.js'
import { cachedCluster } from './cluster.js'
import { ownerTag, removeLeftSegment, removeStaleRuns, spawnWatchdog, type Watchdog } from './orphans.js'
import { preparePeerSocket } from './peer-socket.js'
import { checkPortFree, freePort, isPortTaken, portInUse } from './port.js'
import { checkBaseDir, reachableBinaries } from './reachable.js'
import { baseDirWithRoom, explainNoSpace } from './room.js'
import { checkSnapshotName, findSnapshot, saveSnapshot } from './snapshot.js'
import type { EmbeddedOptions, StartedPostgres } from './types.js'
import { type RunAs, unprivilegedUser } from './user.js'

/**
 * Throw-away server: durability off, shared memory in the data folder (nothing left in /dev/shm).
 * A Unix socket only in the run's folder, for the test workers (see peer-socket.ts).
 */
const SETTINGS: Record<string, string | number> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: 0,
  // Fewer WAL segments (1 MB each, see cluster.ts) kept at a checkpoint: a saved snapshot, copied at
  // every start, is 8 MB smaller than with the default 80 MB.
  min_wal_size: '2MB',
  dynamic_shared_memory_type: 'mmap',
  max_connections: 300,
  logging_collector: 'off',
  // how the CLI's production guard knows a server as ours (it empties and drops databases only there)
  cluster_name: 'dsta-db',
}

export function defaultBaseDir(): string {
  return (
    process.env.DSTA_DB_TMPDIR ?? (existsSync('/dev/shm') ? '/dev/shm/dsta-db' : join(tmpdir(), 'dsta-db'))
  )
}

/**
 * Starts PostgreSQL from a copy of a cached cluster. A watchdog shell outlives us: when our process
 * dies, even by SIGKILL, its stdin closes, and it stops the server and removes the folder.
 */
export async function startEmbedded(options: EmbeddedOptions = {}): Promise<StartedPostgres> {
  const found = findBinaries(options.binDir)
  if (options.port !== undefined) await checkPortFree(options.port)
  const baseDir = await baseDirWithRoom(options.baseDir ?? defaultBaseDir())
  await ensureCacheDir(baseDir)
  await removeStaleRuns(baseDir)
  const user = unprivilegedUser()
  await checkBaseDir(user, baseDir)
  const binaries = await reachableBinaries(found, user, baseDir)
  const cluster = await cachedCluster(binaries, baseDir, user)
  const snapshot = options.snapshot ? await findSnapshot(cluster, options.snapshot) : undefined
  if (snapshot) await checkOwned(snapshot, 'the cached snapshot')
  const password = await readPassword(snapshot ?? cluster)
  const runDir = await mkdtemp(join(baseDir, `run-${ownerTag()}-`))
  const dataDir = join(runDir, 'data')
  // Before the copy: a run killed while copying, starting or running leaves nothing behind.
  const watchdog = spawnWatchdog(runDir)
  try {
    await chmod(runDir, 0o755) // mkdtemp makes it 0700; the unprivileged server must pass through
    await copyForServer(snapshot ?? cluster, dataDir, user)
    const socketDir = await preparePeerSocket(runDir, dataDir, user, options.settings)
    const settings = {
      ...SETTINGS,
      ...(socketDir ? { unix_socket_directories: socketDir } : {}),
      ...options.settings,
    }
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort())
      try {
        const postgres = await spawnPostgres(
          join(binaries.binDir, 'postgres'),
          dataDir,
          { ...settings, port },
          user,
          join(runDir, 'postgresql.log'),
          (pid) => watchdog.watch(pid),
        )
        const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`
        return started(url, binaries.version, postgres, watchdog, {
          runDir,
          binDir: binaries.binDir,
          cluster,
          snapshot: options.snapshot,
          fromSnapshot: !!snapshot,
          user,
          socketDir,
        })
      } catch (error) {
        const portTaken = isPortTaken(error)
        if (portTaken && options.port !== undefined) throw portInUse(options.port)
        if (!portTaken || attempt >= 5) throw error
      }
    }
  } catch (error) {
    watchdog.dismiss()
    await rm(runDir, { recursive: true, force: true })
    throw explainNoSpace(error, baseDir)
  }
}

interface RunFolders {
  runDir: string
  binDir: string
  cluster: string
  /** The snapshot asked for, and whether it existed (the run started from it). */
  snapshot?: string | undefined
  fromSnapshot: boolean
  /** The server's user, when not us: a saved snapshot is taken back from it. */
  user: RunAs | undefined
  /** The folder of the server's Unix socket, for our own OS user (see peer-socket.ts). */
  socketDir: string | undefined
}

function started(
  url: string,
  version: string,
  postgres: ChildProcess,
  watchdog: Watchdog,
  folders: RunFolders,
): StartedPostgres {
  let stopping: Promise<void> | undefined
  let saveAs: { name: string; replace: boolean } | undefined
  const stop = () => {
    stopping ??= (async () => {
      let cleanExit = false
      const diedAlone = postgres.exitCode !== null || postgres.signalCode !== null
      if (!diedAlone) {
        postgres.ref() // unref'd while running; the wait for its exit must keep us alive
        const exited = new Promise((resolve) => postgres.once('exit', (code) => resolve(code)))
        // Fast shutdown (a checkpoint) when the data is saved as a snapshot; else immediate, about 30 ms
        // sooner, since the data is deleted anyway. Neither leaves shared memory behind.
        postgres.kill(saveAs ? 'SIGINT' : 'SIGQUIT')
        cleanExit = (await exited) === 0
      }
      watchdog.dismiss()
      // Killed under us (or crashed): its System V segment stays unless someone removes it.
      if (diedAlone) await removeLeftSegment(join(folders.runDir, 'data'))
      if (saveAs && cleanExit) {
        await takeBack(join(folders.runDir, 'data'), folders.user)
        await saveSnapshot(folders.cluster, saveAs.name, join(folders.runDir, 'data'), saveAs.replace)
      }
      await rm(folders.runDir, { recursive: true, force: true })
    })()
    return stopping
  }
  return {
    url,
    provider: 'embedded',
    version,
    passwordFile: join(folders.cluster, PASSWORD_FILE),
    stop,
    logFile: join(folders.runDir, 'postgresql.log'),
    binDir: folders.binDir,
    fromSnapshot: folders.fromSnapshot,
    ...(folders.socketDir ? { socketDir: folders.socketDir } : {}),
    onUnexpectedExit: (listener) => {
      postgres.once('exit', (code, signal) => {
        if (!stopping) listener(`postgres exited${signal ? ` on ${signal}` : ` with code ${code}`}`)
      })
    },
    saveSnapshotOnStop: (name, { replace = false } = {}) => {
      saveAs = { name: checkSnapshotName(name), replace }
    },
  }
}

function spawnPostgres(
  binary: string,
  dataDir: string,
  settings: Record<string, string | number>,
  user: RunAs | undefined,
  logFile: string,
  onSpawn: (pid: number | undefined) => void,
): Promise<ChildProcess> {
  const args = [
    '-D',
    dataDir,
    ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ]
  const child = spawn(binary, args, { uid: user?.uid, gid: user?.gid, stdio: ['ignore', 'ignore', 'pipe'] })
  // the server's log, for `dsta-db up` to point at (the guide's `docker-compose logs postgres`)
  // The server's log for `dsta-db up` to point at: what the server writes to stderr, chunk by chunk.
  const log = createWriteStream(logFile).on('error', () => {})
  child.stderr?.on('data', (chunk: Buffer) => log.write(chunk))
  onSpawn(child.pid)
  return new Promise((resolve, reject) => {
    let text = ''
    const onData = (chunk: Buffer) => {
      text += chunk
      if (text.includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData)
        child.off('exit', onExit)
        // the log file's listener keeps draining it, so the server never blocks on a full pipe
        child.unref()
        ;(child.stderr as unknown as { unref?: () => void })?.unref?.()
        resolve(child)
      }
    }
    const onExit = (code: number | null) =>
      reject(new Error(`postgres exited with ${code} before it was ready:\n${text.trim()}`))
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
    child.once('error', reject)
  })
}
