import { existsSync } from 'node:fs'
import { request } from 'node:http'
import type { StartedPostgres } from './types.js'

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

/** PostgreSQL in a container through Testcontainers (an optional dependency: loaded only here). */
export async function startContainer(image: string): Promise<StartedPostgres> {
  const reason = await dockerUnavailableReason()
  if (reason)
    throw new Error(`provider "container" needs a Docker engine: ${reason}. Use provider "embedded" instead.`)
  let module: typeof import('@testcontainers/postgresql')
  try {
    module = await import('@testcontainers/postgresql')
  } catch {
    throw new Error(
      'provider "container" needs the packages testcontainers and @testcontainers/postgresql: npm install -D @testcontainers/postgresql',
    )
  }
  const container = await new module.PostgreSqlContainer(image)
    .withDatabase('postgres')
    .withUsername('postgres')
    .withPassword('postgres')
    .withTmpFs({ '/var/lib/postgresql/data': 'rw' })
    .withCommand([
      'postgres',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
    ])
    .start()
  const version = /:(\d+)/.exec(image)?.[1] ?? 'unknown'
  return {
    url: container.getConnectionUri(),
    provider: 'container',
    version,
    stop: async () => void (await container.stop()),
  }
}
