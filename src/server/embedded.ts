import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, existsSync } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findBinaries } from './binaries.js'
import { cachedCluster, ensureDir, removeStaleRuns, run } from './cluster.js'
import { checkBaseDir, reachableBinaries } from './reachable.js'
import { checkSnapshotName, findSnapshot, saveSnapshot } from './snapshot.js'
import type { EmbeddedOptions, StartedPostgres } from './types.js'
import { type RunAs, unprivilegedUser } from './user.js'

/** Throw-away server: durability off, shared memory in the data folder (nothing left in /dev/shm). */
const SETTINGS: Record<string, string | number> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: 0,
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
  const baseDir = options.baseDir ?? defaultBaseDir()
  await ensureDir(baseDir)
  await removeStaleRuns(baseDir)
  const user = unprivilegedUser()
  await checkBaseDir(user, baseDir)
  const binaries = await reachableBinaries(found, user, baseDir)
  const cluster = await cachedCluster(binaries, baseDir, user)
  const snapshot = options.snapshot ? await findSnapshot(cluster, options.snapshot) : undefined
  const runDir = await mkdtemp(join(baseDir, `run-${process.pid}-`))
  const dataDir = join(runDir, 'data')
  try {
    await chmod(runDir, 0o755) // mkdtemp makes it 0700; the unprivileged server must pass through
    await run('cp', ['-a', snapshot ?? cluster, dataDir]) // keeps the unprivileged owner
    const settings = { ...SETTINGS, ...options.settings }
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort())
      try {
        const postgres = await spawnPostgres(
          join(binaries.binDir, 'postgres'),
          dataDir,
          { ...settings, port },
          user,
          join(runDir, 'postgresql.log'),
        )
        const watchdog = spawnWatchdog(postgres, runDir)
        const url = `postgresql://postgres@127.0.0.1:${port}/postgres`
        return started(url, binaries.version, postgres, watchdog, {
          runDir,
          binDir: binaries.binDir,
          cluster,
          snapshot: options.snapshot,
          fromSnapshot: !!snapshot,
        })
      } catch (error) {
        const portTaken = /could not bind|Address already in use/.test(String(error))
        if (!portTaken || options.port !== undefined || attempt >= 5) throw error
      }
    }
  } catch (error) {
    await rm(runDir, { recursive: true, force: true })
    throw error
  }
}

interface RunFolders {
  runDir: string
  binDir: string
  cluster: string
  /** The snapshot asked for, and whether it existed (the run started from it). */
  snapshot?: string | undefined
  fromSnapshot: boolean
}

function started(
  url: string,
  version: string,
  postgres: ChildProcess,
  watchdog: ChildProcess,
  folders: RunFolders,
): StartedPostgres {
  let stopping: Promise<void> | undefined
  let saveAs: { name: string; replace: boolean } | undefined
  const stop = () => {
    stopping ??= (async () => {
      let cleanExit = false
      if (postgres.exitCode === null && postgres.signalCode === null) {
        postgres.ref() // unref'd while running; the wait for its exit must keep us alive
        const exited = new Promise((resolve) => postgres.once('exit', (code) => resolve(code)))
        postgres.kill('SIGINT') // fast shutdown: disconnects clients, leaves no shared memory behind
        cleanExit = (await exited) === 0
      }
      watchdog.kill('SIGKILL')
      if (saveAs && cleanExit)
        await saveSnapshot(folders.cluster, saveAs.name, join(folders.runDir, 'data'), saveAs.replace)
      await rm(folders.runDir, { recursive: true, force: true })
    })()
    return stopping
  }
  return {
    url,
    provider: 'embedded',
    version,
    stop,
    logFile: join(folders.runDir, 'postgresql.log'),
    binDir: folders.binDir,
    fromSnapshot: folders.fromSnapshot,
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
): Promise<ChildProcess> {
  const args = [
    '-D',
    dataDir,
    ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ]
  const child = spawn(binary, args, { uid: user?.uid, gid: user?.gid, stdio: ['ignore', 'ignore', 'pipe'] })
  // the server's log, for `dsta-db up` to point at (the guide's `docker-compose logs postgres`)
  const log = createWriteStream(logFile).on('error', () => {})
  child.stderr?.pipe(log)
  return new Promise((resolve, reject) => {
    let text = ''
    const onData = (chunk: Buffer) => {
      text += chunk
      if (text.includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData)
        child.off('exit', onExit)
        // the pipe to the log file keeps draining it, so the server never blocks on a full pipe
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

/** A shell that waits for our end (its stdin closing), then stops the server and removes its folder. */
function spawnWatchdog(postgres: ChildProcess, runDir: string): ChildProcess {
  const script = [
    "trap '' INT TERM HUP",
    'read _',
    'kill -INT "$1" 2>/dev/null',
    'i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
    'kill -QUIT "$1" 2>/dev/null',
    'rm -rf "$2"',
  ].join('\n')
  const watchdog = spawn('sh', ['-c', script, 'dsta-db-watchdog', String(postgres.pid), runDir], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true, // not in our process group: a Ctrl-C aimed at the test run does not end it early
  })
  watchdog.unref()
  ;(watchdog.stdin as unknown as { unref?: () => void })?.unref?.()
  return watchdog
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}
