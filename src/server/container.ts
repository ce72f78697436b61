import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import type { Readable } from 'node:stream'
import pg from 'pg'
import {
  containersOf,
  ownerLabels,
  removeContainer,
  removeDeadRunContainers,
  spawnContainerWatchdog,
} from './container-reaper.js'
import { findWarmImage, saveWarmImage, warmKey, warmTag } from './container-snapshot.js'
import {
  type Dockerode,
  dockerClient,
  dockerUnavailableReason,
  ensureImage,
  loadTestcontainers,
  logTail,
} from './docker.js'
import { checkSnapshotName } from './snapshot.js'
import type { StartedPostgres } from './types.js'

export interface ContainerOptions {
  /** E.g. `postgres:18-alpine`, or one built without Docker Hub (README). */
  image: string
  /** Start from the warm image of this name when there is one (see container-snapshot.ts). */
  snapshot?: string
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>
  /** Host port; default a free one. */
  port?: number
}

/** Throw-away server, as the embedded one: durability off, shared memory in the data folder. */
const SETTINGS: Record<string, string | number> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: 0,
  dynamic_shared_memory_type: 'mmap',
  max_connections: 300,
  // how the CLI's production guard knows a server as ours, as it knows the embedded one
  cluster_name: 'dsta-db',
}
/** initdb as for the embedded cluster; the official images pass POSTGRES_INITDB_ARGS on. */
const INITDB_ARGS = '--encoding=UTF8 --locale=C --no-sync --wal-segsize=1'
/**
 * The data folder: outside the image's volumes, so that a commit of the stopped container holds it
 * (a warm image). The volumes themselves get a tmpfs each: no anonymous volume is left on disk, and
 * PostgreSQL 18's entrypoint refuses a mount at the old `/var/lib/postgresql/data`.
 */
const DATA = '/dsta-db/data'
const READY = /database system is ready to accept connections/
const STARTUP_MS = 60_000
/** Lines of the container's log that end an error message. */
const LOG_LINES = 20

/**
 * PostgreSQL in a container through Testcontainers (an optional dependency, loaded only here). No
 * Ryuk needed: a watchdog removes the container when this process dies, and every start removes
 * the containers of dead runs. Docker's settings come from process.env, as Testcontainers reads them.
 */
export async function startContainer(options: ContainerOptions): Promise<StartedPostgres> {
  const reason = await dockerUnavailableReason()
  if (reason)
    throw new Error(`provider "container" needs a Docker engine: ${reason}. Use provider "embedded" instead.`)
  const testcontainers = await loadTestcontainers()
  const docker = await dockerClient(testcontainers)
  const sweep = removeDeadRunContainers(docker).catch(() => []) // meanwhile: it never touches ours
  const settings = { ...SETTINGS, ...options.settings }
  const key = warmKey(await ensureImage(testcontainers, options.image), { settings, INITDB_ARGS, DATA })
  const tag = options.snapshot ? warmTag(options.snapshot, key) : undefined
  const warmEnv = tag ? await findWarmImage(docker, tag) : undefined
  const image = warmEnv && tag ? tag : options.image
  const password =
    warmEnv?.find((entry) => entry.startsWith('POSTGRES_PASSWORD='))?.slice(18) ??
    randomBytes(12).toString('hex')

  const start = randomBytes(8).toString('hex')
  const watchdog = spawnContainerWatchdog(docker, start)
  // Testcontainers removes a container that fails its wait: its log is read as it comes instead.
  let recent = ''
  let logStream: Readable | undefined
  try {
    const volumes = Object.keys((await docker.getImage(image).inspect()).Config?.Volumes ?? {})
    const container = await new testcontainers.GenericContainer(image)
      .withLabels(ownerLabels(start))
      .withExposedPorts(options.port ? { container: 5432, host: options.port } : 5432)
      .withEnvironment({
        POSTGRES_USER: 'postgres',
        POSTGRES_PASSWORD: password,
        POSTGRES_DB: 'postgres',
        POSTGRES_INITDB_ARGS: INITDB_ARGS,
        PGDATA: DATA,
      })
      .withTmpFs(
        Object.fromEntries((volumes.length > 0 ? volumes : ['/var/lib/postgresql']).map((v) => [v, 'rw'])),
      )
      .withCommand([
        'postgres',
        ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      ])
      .withLogConsumer((stream) => {
        logStream = stream
        stream.on('error', () => {})
        stream.on('data', (chunk) => {
          recent += chunk
          if (recent.length > 64_000) recent = recent.slice(-32_000)
        })
      })
      .withWaitStrategy(testcontainers.Wait.forLogMessage(READY))
      .withStartupTimeout(STARTUP_MS)
      .start()
    const ip = options.port ? undefined : await directAddress(docker, container.getId())
    const [host, port] = ip
      ? [ip, 5432]
      : [
          await reachableHost(container.getHost(), container.getMappedPort(5432)),
          container.getMappedPort(5432),
        ]
    const url = `postgresql://postgres:${password}@${host}:${port}/postgres`
    const version = await serverVersion(url, docker, container.getId())
    logStream?.destroy()
    await sweep
    return started(url, version, docker, container.getId(), watchdog, {
      fromSnapshot: !!warmEnv,
      snapshotTag: (name) => warmTag(name, key),
      base: options.image,
    })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    let log = ''
    for (const id of await containersOf(docker, start).catch(() => [])) {
      log ||= await logTail(docker, id, LOG_LINES)
      await removeContainer(docker, id).catch(() => {})
    }
    log ||= recent.trimEnd().split('\n').slice(-LOG_LINES).join('\n')
    logStream?.destroy()
    watchdog?.kill('SIGKILL')
    throw new Error(
      `provider "container": PostgreSQL in image "${image}" did not start: ${message}` +
        (log ? `\nLast lines of the container's log:\n${log.replace(/^/gm, '  ')}` : ''),
      { cause: error },
    )
  }
}

interface Warmth {
  fromSnapshot: boolean
  snapshotTag: (name: string) => string
  /** The image asked for: the warm images of its repository are pruned together. */
  base: string
}

function started(
  url: string,
  version: string,
  docker: Dockerode,
  id: string,
  watchdog: ChildProcess | undefined,
  warmth: Warmth,
): StartedPostgres {
  let stopping: Promise<void> | undefined
  let saveAs: { name: string; replace: boolean } | undefined
  const stop = () => {
    stopping ??= (async () => {
      try {
        const tag = saveAs && warmth.snapshotTag(saveAs.name)
        // Another run saved the same snapshot first: keep theirs, as the embedded provider does.
        if (tag && (saveAs?.replace || !(await findWarmImage(docker, tag)))) {
          const container = docker.getContainer(id)
          const exited = container.wait() as Promise<{ StatusCode: number }>
          // Fast shutdown: a clean data folder. A container that already stopped is not saved.
          await container.kill({ signal: 'SIGINT' }).catch(() => {})
          // An image whose PostgreSQL is not the container's first process may never stop on it.
          const timeout = new Promise<undefined>((resolve) =>
            setTimeout(() => resolve(undefined), 30_000).unref(),
          )
          const result = await Promise.race([exited, timeout])
          if (result?.StatusCode === 0) await saveWarmImage(docker, id, tag, warmth.base)
        }
      } finally {
        await removeContainer(docker, id)
        watchdog?.kill('SIGKILL')
      }
    })()
    return stopping
  }
  return {
    url,
    provider: 'container',
    version,
    stop,
    fromSnapshot: warmth.fromSnapshot,
    saveSnapshotOnStop: (name, { replace = false } = {}) => {
      saveAs = { name: checkSnapshotName(name), replace }
    },
  }
}

/**
 * The host to reach the published port on: TESTCONTAINERS_HOST_OVERRIDE when set, else the one
 * Testcontainers chose, else 127.0.0.1. (Testcontainers takes a machine with `/.dockerenv` for a
 * container and may hand out a gateway that does not lead to the port.)
 */
async function reachableHost(chosen: string, port: number): Promise<string> {
  const override = process.env.TESTCONTAINERS_HOST_OVERRIDE
  const candidates = override ? [override] : [chosen, '127.0.0.1']
  for (const host of new Set(candidates)) if (await accepts(host, port)) return host
  throw new Error(
    `its port ${port} does not answer on ${[...new Set(candidates)].join(' or ')}; ` +
      'set TESTCONTAINERS_HOST_OVERRIDE to the address where published ports answer',
  )
}

/**
 * The container's own address on a local Linux engine, when it can be reached from here: every query
 * then skips docker-proxy, the userland relay of published ports (a round trip of 0.3–0.6 ms instead
 * of 1.0 ms, a first connection 0.1–0.2 s sooner, here under load). Reachable means a TCP connection
 * is taken or refused at once (a first start's temporary server listens on no TCP port yet). Not with
 * a port asked for, and not where the bridge is out of reach (Docker Desktop's VM, rootless Docker).
 */
async function directAddress(docker: Dockerode, id: string): Promise<string | undefined> {
  if (process.platform !== 'linux' || process.env.TESTCONTAINERS_HOST_OVERRIDE) return undefined
  const networks = (await docker.getContainer(id).inspect()).NetworkSettings.Networks ?? {}
  for (const { IPAddress } of Object.values(networks))
    if (IPAddress && (await answers(IPAddress, 5432))) return IPAddress
  return undefined
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 300 })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('timeout', () => done(false))
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'))
  })
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('timeout', () => done(false))
    socket.once('error', () => done(false))
  })
}

/**
 * The server's own version (`SHOW server_version`), asked until the server takes connections: on a
 * first start the official entrypoint's temporary server logs "ready" before the real one runs.
 */
async function serverVersion(url: string, docker: Dockerode, id: string): Promise<string> {
  const deadline = Date.now() + STARTUP_MS
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
    client.on('error', () => {})
    try {
      await client.connect()
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version')
      return /^\d+(?:\.\d+)?/.exec(rows[0]?.server_version ?? '')?.[0] ?? String(rows[0]?.server_version)
    } catch (error) {
      const state = (await docker.getContainer(id).inspect()).State
      if (!state.Running) throw new Error(`the container exited with code ${state.ExitCode}`)
      if (Date.now() > deadline)
        throw new Error(`no connection within ${STARTUP_MS / 1000} s: ${(error as Error).message}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    } finally {
      await client.end().catch(() => {})
    }
  }
}
