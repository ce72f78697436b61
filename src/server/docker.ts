import { existsSync } from 'node:fs'
import { request } from 'node:http'

/** The package `testcontainers`: an optional peer, loaded only when the container provider is used. */
export type Testcontainers = typeof import('testcontainers')
/** Testcontainers' Docker API client (dockerode). */
export type Dockerode = Awaited<
  ReturnType<Testcontainers['getContainerRuntimeClient']>
>['container']['dockerode']

/**
 * Why Docker cannot be used here, or undefined when its daemon answers a ping. Costs a few
 * milliseconds when there is no Docker, so asking never slows a machine without it.
 */
export async function dockerUnavailableReason(
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const host = env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'
  let target: { socketPath?: string; host?: string; port?: number }
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length)
    if (!existsSync(socketPath))
      return `no Docker socket at ${socketPath} (DOCKER_HOST ${env.DOCKER_HOST ? 'is' : 'is not'} set)`
    target = { socketPath }
  } else {
    const parsed = new URL(host.replace(/^tcp:/, 'http:'))
    target = { host: parsed.hostname, port: Number(parsed.port || 2375) }
  }
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume()
      resolve(res.statusCode === 200 ? undefined : `Docker at ${host} answered ${res.statusCode} to a ping`)
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', (error) => resolve(`Docker at ${host} does not answer: ${error.message}`))
    req.end()
  })
}

/**
 * Loads Testcontainers after setting its defaults for this provider. Ryuk, its reaper container,
 * is off unless the user turned it on (`TESTCONTAINERS_RYUK_DISABLED=false`): our own watchdog
 * removes our containers, and where Docker Hub cannot be reached Ryuk's image cannot be pulled and
 * every start would fail on it.
 */
export async function loadTestcontainers(): Promise<Testcontainers> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true' // Testcontainers reads process.env alone
  try {
    return await import('testcontainers')
  } catch (error) {
    // Only a missing package means "install it"; any other failure is reported as it is.
    const code = (error as { code?: string }).code
    if (code !== 'ERR_MODULE_NOT_FOUND' || !String((error as Error).message).includes("'testcontainers'"))
      throw error
    throw new Error('provider "container" needs the package testcontainers: npm install -D testcontainers')
  }
}

/** The Docker API client Testcontainers found (DOCKER_HOST, its properties file, the usual sockets). */
export async function dockerClient(testcontainers: Testcontainers): Promise<Dockerode> {
  return (await testcontainers.getContainerRuntimeClient()).container.dockerode
}

export const IMAGE_HELP =
  'Give the provider an image that is on this machine: dstaDb({ image }), `dsta-db up --image`, or DSTA_DB_IMAGE ' +
  "(README: 'The container provider without Docker Hub')"

/**
 * The image's id, pulling it first when it is not on this machine (through Testcontainers, which
 * finds the registry's credentials); a clear error when it cannot be had.
 */
export async function ensureImage(testcontainers: Testcontainers, image: string): Promise<string> {
  const client = await testcontainers.getContainerRuntimeClient()
  const docker = client.container.dockerode
  const local = await imageId(docker, image)
  if (local) return local
  await client.image.pull(testcontainers.ImageName.fromString(image)).catch(() => {})
  const pulled = await imageId(docker, image)
  if (pulled) return pulled
  const failure = await pullFailure(docker, image)
  throw new Error(
    `provider "container": image "${image}" is not on this machine and cannot be pulled` +
      `${failure ? ` (${failure.trim()})` : ''}. ${IMAGE_HELP}.`,
  )
}

/** Why a pull fails, in the registry's words: Testcontainers' own pull keeps them to its debug log. */
async function pullFailure(docker: Dockerode, image: string): Promise<string> {
  try {
    const stream = await docker.pull(image)
    // A refusal comes in the pull's progress, not as an error: read it to the end and look.
    const events = await new Promise<{ error?: string }[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (error, output) =>
        error ? reject(error) : resolve(output as { error?: string }[]),
      ),
    )
    return events.find((event) => event.error)?.error ?? ''
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

async function imageId(docker: Dockerode, image: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(image).inspect()).Id
  } catch {
    return undefined
  }
}

/**
 * Why the container provider cannot run `image` here, or undefined when it can: Docker must answer,
 * and the image must be on the machine or pullable. For tests that skip with a reason.
 */
export async function containerUnavailableReason(image: string): Promise<string | undefined> {
  const reason = await dockerUnavailableReason()
  if (reason) return reason
  try {
    await ensureImage(await loadTestcontainers(), image)
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

/** The last `lines` lines of a container's log (stdout and stderr, in order). */
export async function logTail(docker: Dockerode, id: string, lines = 20): Promise<string> {
  try {
    const raw = (await docker
      .getContainer(id)
      .logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer
    return demux(raw).trimEnd()
  } catch (error) {
    return `(its log could not be read: ${error instanceof Error ? error.message : error})`
  }
}

/** Docker multiplexes a container's stdout and stderr as frames: 8-byte header (stream, size), then data. */
function demux(raw: Buffer): string {
  const parts: Buffer[] = []
  let offset = 0
  while (offset + 8 <= raw.length && raw[offset + 1] === 0 && (raw[offset] ?? 3) <= 2) {
    const size = raw.readUInt32BE(offset + 4)
    parts.push(raw.subarray(offset + 8, offset + 8 + size))
    offset += 8 + size
  }
  return offset === 0 ? raw.toString() : Buffer.concat(parts).toString()
}
