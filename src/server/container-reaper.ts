import { type ChildProcess, spawn } from 'node:child_process'
import { hostname } from 'node:os'
import { isAlive } from './cluster.js'
import type { Dockerode } from './docker.js'

/**
 * Labels on every container we start: which start it was, and the process and machine that own it.
 * Only containers carrying them are ever removed, and only when their owner is dead.
 */
export const LABELS = { start: 'dsta-db.start', pid: 'dsta-db.pid', host: 'dsta-db.host' } as const

export function ownerLabels(start: string): Record<string, string> {
  return { [LABELS.start]: start, [LABELS.pid]: String(process.pid), [LABELS.host]: hostname() }
}

/** Our containers of a start: for the error message's log and the clean-up after a failed start. */
export async function containersOf(docker: Dockerode, start: string): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABELS.start}=${start}`] } })
  return list.map((container) => container.Id)
}

export async function removeContainer(docker: Dockerode, id: string): Promise<void> {
  await docker
    .getContainer(id)
    .remove({ force: true, v: true })
    .catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404 && error.statusCode !== 409) throw error // gone, or already going
    })
}

/**
 * Removes the containers of runs that died without cleaning up (their watchdog could not run, e.g.
 * the machine restarted): ours by label, started on this machine, whose owner process is gone.
 */
export async function removeDeadRunContainers(docker: Dockerode): Promise<string[]> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [LABELS.pid, `${LABELS.host}=${hostname()}`] },
  })
  const dead = list.filter((container) => {
    const pid = Number(container.Labels[LABELS.pid])
    return Number.isInteger(pid) && pid > 0 && !isAlive(pid)
  })
  await Promise.all(dead.map((container) => removeContainer(docker, container.Id).catch(() => {})))
  return dead.map((container) => container.Id)
}

// A Node process (the one running us: always there, unlike a docker CLI) that waits for our end
// (its stdin closing, even after SIGKILL) and then removes the start's containers through the API.
// A second sweep catches a container whose creation was still under way when we died.
const WATCHDOG = `
const api = JSON.parse(process.env.DSTA_DB_DOCKER_API)
const filters = encodeURIComponent(JSON.stringify({ label: [process.env.DSTA_DB_LABEL] }))
const lib = require(api.protocol === 'https:' ? 'node:https' : 'node:http')
const call = (method, path) => new Promise((resolve) => {
  const req = lib.request({ ...api, method, path, timeout: 10000 }, (res) => {
    let body = ''
    res.on('data', (chunk) => (body += chunk))
    res.on('end', () => resolve(body))
  })
  req.on('error', () => resolve('[]'))
  req.on('timeout', () => req.destroy())
  req.end()
})
const sweep = async () => {
  let list = []
  try { list = JSON.parse(await call('GET', '/containers/json?all=1&filters=' + filters)) } catch {}
  for (const container of list) await call('DELETE', '/containers/' + container.Id + '?force=1&v=1')
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {})
let done = false
const end = async () => {
  if (done) return
  done = true
  await sweep()
  await new Promise((resolve) => setTimeout(resolve, 2000))
  await sweep()
  process.exit(0)
}
process.stdin.on('data', () => {})
process.stdin.on('end', end)
process.stdin.on('error', end)
`

/**
 * Starts the watchdog of one start (before the container exists, so that a death during the start
 * is covered too). Undefined when the Docker API is reached in a way it cannot follow (ssh://):
 * the next start's sweep of dead runs, or Ryuk when turned on, removes the container then.
 */
export function spawnContainerWatchdog(docker: Dockerode, start: string): ChildProcess | undefined {
  const modem = docker.modem as {
    socketPath?: unknown
    host?: string
    port?: number | string
    protocol?: string
    ca?: unknown
    cert?: unknown
    key?: unknown
  }
  const text = (value: unknown) => (value === undefined ? undefined : String(value))
  let api: Record<string, unknown>
  if (typeof modem.socketPath === 'string') api = { socketPath: modem.socketPath }
  else if (modem.host && (modem.protocol === 'http' || modem.protocol === 'https'))
    api = {
      host: modem.host,
      port: Number(modem.port ?? (modem.protocol === 'https' ? 2376 : 2375)),
      protocol: `${modem.protocol}:`,
      ca: text(modem.ca),
      cert: text(modem.cert),
      key: text(modem.key),
    }
  else return undefined
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG], {
    env: {
      DSTA_DB_DOCKER_API: JSON.stringify(api),
      DSTA_DB_LABEL: `${LABELS.start}=${start}`,
    },
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true, // not in our process group: a Ctrl-C aimed at the test run does not end it early
  })
  watchdog.unref()
  ;(watchdog.stdin as unknown as { unref?: () => void })?.unref?.()
  return watchdog
}
