import { spawn } from 'node:child_process'
import { hostname } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { getContainerRuntimeClient } from 'testcontainers'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from '../src/cli/program.js'
import { repositoryOf } from '../src/server/container-snapshot.js'
import { containerImage, containerUnavailableReason, startPostgres } from '../src/server/index.js'

// The container provider on a real Docker engine. Where Docker or the image is missing, the tests
// print why and skip; in CI (.ci/run starts dockerd and builds the image first) they must run.
const image = containerImage(undefined)
const reason = await containerUnavailableReason(image)
const inCi = process.env.CI === 'true'
if (reason && !inCi) console.log(`skipped the container provider's tests: ${reason}`)

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client(url)
  await client.connect()
  try {
    return (await client.query<T>(text)).rows
  } finally {
    await client.end()
  }
}

const docker = async () => (await getContainerRuntimeClient()).container.dockerode
/** Containers carrying a label (e.g. `dsta-db.pid=123`), stopped ones too. */
async function labelled(label: string) {
  return (await docker()).listContainers({ all: true, filters: { label: [label] } })
}

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms
  let value = await probe()
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    value = await probe()
  }
  return value
}

it("warm images are pruned per repository: an image name's repository", () => {
  expect(repositoryOf('postgres:18-alpine')).toBe('postgres')
  expect(repositoryOf('dsta-db/postgres:18.4-5492b2b6a754')).toBe('dsta-db/postgres')
  expect(repositoryOf('registry:5000/team/postgres:18')).toBe('registry:5000/team/postgres')
  expect(repositoryOf('registry:5000/team/postgres')).toBe('registry:5000/team/postgres')
  expect(repositoryOf('postgres@sha256:0123abcd')).toBe('postgres')
})

it('has Docker and the image where it must (CI)', () => {
  if (inCi) expect(reason).toBeUndefined()
})

describe.skipIf(!!reason && !inCi)(`container provider (${image})`, () => {
  const mine = `dsta-db.pid=${process.pid}`

  it("starts PostgreSQL, reports the server's own version, and removes its container on stop", async () => {
    const server = await startPostgres({ provider: 'container' })
    try {
      expect(server.provider).toBe('container')
      const [row] = await query<{ version: string; fsync: string; cluster: string }>(
        server.url,
        "SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync, current_setting('cluster_name') AS cluster",
      )
      expect(row?.cluster).toBe('dsta-db') // the CLI's production guard knows it as ours
      expect(row?.version.startsWith(server.version)).toBe(true)
      expect(server.version).toMatch(/^\d+\.\d+$/)
      expect(row?.fsync).toBe('off')
      expect(new URL(server.url).password).toMatch(/^[0-9a-f]{24}$/) // not a well-known one
      const running = await labelled(mine)
      expect(running).toHaveLength(1)
      expect(running[0]?.Labels['dsta-db.host']).toBe(hostname())
      // A local engine on Linux: the container's own address, past docker-proxy.
      const ip = Object.values(running[0]?.NetworkSettings.Networks ?? {})[0]?.IPAddress
      if (process.platform === 'linux') expect(new URL(server.url).host).toBe(`${ip}:5432`)
    } finally {
      await server.stop()
      await server.stop()
    }
    expect(await labelled(mine)).toEqual([])
  }, 120_000)

  it("names the image and ends with the container's log when PostgreSQL does not start", async () => {
    const attempt = startPostgres({ provider: 'container', settings: { shared_buffers: 'lots' } })
    const error = await attempt.then(
      () => undefined,
      (failure: Error) => failure,
    )
    expect(error?.message).toContain(`PostgreSQL in image "${image}" did not start`)
    expect(error?.message).toMatch(
      /Last lines of the container's log:\n[\s\S]*invalid value for parameter "shared_buffers"/,
    )
    expect(await labelled(mine)).toEqual([]) // the failed container is removed too
  }, 120_000)

  it('says when the image cannot be had, and how to give it one', async () => {
    await expect(
      startPostgres({ provider: 'container', image: 'dsta-db/no-such-image:0', env: process.env }),
    ).rejects.toThrow(
      /image "dsta-db\/no-such-image:0" is not on this machine and cannot be pulled.*DSTA_DB_IMAGE/,
    )
  }, 120_000)

  it('starts warm from the image committed at a clean stop, with what the earlier run made', async () => {
    // Under a repository of its own: warm images are pruned per repository; a run's own stay untouched.
    const client = await docker()
    const base = 'dsta-db-test/warm-base:1'
    const [repo, tag] = base.split(':') as [string, string]
    await client.getImage(image).tag({ repo, tag })
    const name = 'container-test'
    try {
      const first = await startPostgres({ provider: 'container', image: base, snapshot: name })
      expect(first.fromSnapshot).toBe(false)
      await query(first.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)')
      first.saveSnapshotOnStop?.(name)
      await first.stop()
      const second = await startPostgres({ provider: 'container', image: base, snapshot: name })
      try {
        expect(second.fromSnapshot).toBe(true)
        expect(await query(second.url, 'SELECT id FROM kept')).toEqual([{ id: 7 }])
      } finally {
        await second.stop()
      }
      expect(await labelled(mine)).toEqual([])
    } finally {
      const warm = await client.listImages({ filters: { label: [`dsta-db.warm-for=${repo}`] } })
      for (const { Id } of warm) await client.getImage(Id).remove({ force: true })
      await client.getImage(base).remove()
    }
  }, 180_000)

  it("removes containers of dead runs on this machine at the next start, and nobody else's", async () => {
    const client = await docker()
    const deadPid = String(2 ** 22 + 17) // above the default pid_max, so never a live process
    const make = (labels: Record<string, string>) =>
      client.createContainer({ Image: image, Cmd: ['true'], Labels: labels })
    const dead = await make({ 'dsta-db.pid': deadPid, 'dsta-db.host': hostname() })
    const elsewhere = await make({ 'dsta-db.pid': deadPid, 'dsta-db.host': `not-${hostname()}` })
    const foreign = await make({ 'someone.else': 'yes' })
    try {
      const port = 20_000 + (process.pid % 20_000) // a port asked for: the published one is handed out
      const server = await startPostgres({ provider: 'container', port })
      expect(new URL(server.url).port).toBe(String(port))
      expect(await query(server.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }])
      await server.stop()
      const left = async (id: string) => (await client.listContainers({ all: true })).some((c) => c.Id === id)
      expect(await left(dead.id)).toBe(false)
      expect(await left(elsewhere.id)).toBe(true)
      expect(await left(foreign.id)).toBe(true)
    } finally {
      for (const container of [dead, elsewhere, foreign])
        await container.remove({ force: true }).catch(() => {})
    }
  }, 120_000)

  it('dsta-db up --provider container: the image from --image, else DSTA_DB_IMAGE; a missing one named', async () => {
    const cli = async (args: string[], env: NodeJS.ProcessEnv) => {
      const out: string[] = []
      const err: string[] = []
      const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env, cwd: '.' }
      const code = await run(args, io)
      return { code, out: out.join(''), err: err.join('') }
    }
    const { DSTA_DB_IMAGE: _, ...env } = process.env
    const flag = await cli(['up', '--demo', '--provider', 'container', '--image', image], env)
    expect(flag.code, flag.err).toBe(0)
    expect(flag.out).toMatch(/^PostgreSQL \d+\.\d+ \(container\) is up\n/)
    expect(flag.out).toMatch(/candlesticks +12 columns +2 rows/)
    const fromEnv = await cli(['up', '--demo', '--provider', 'container'], { ...env, DSTA_DB_IMAGE: image })
    expect(fromEnv.code, fromEnv.err).toBe(0)
    const missing = await cli(['up', '--provider', 'container', '--image', 'dsta-db/no-such-image:0'], env)
    expect(missing.code).toBe(1)
    expect(missing.err).toContain('image "dsta-db/no-such-image:0" is not on this machine')
    expect(await labelled(mine)).toEqual([])
  }, 180_000)

  it.skipIf(!image.startsWith('dsta-db/'))(
    'the image .ci/docker.sh builds starts on its own command as the official one does',
    async () => {
      const client = await docker()
      const container = await client.createContainer({
        Image: image,
        Env: ['POSTGRES_PASSWORD=x', 'POSTGRES_DB=app'],
        ExposedPorts: { '5432/tcp': {} },
        HostConfig: {
          Tmpfs: { '/var/lib/postgresql': 'rw' },
          PortBindings: { '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        },
      })
      try {
        await container.start()
        const log = () => container.logs({ stdout: true, stderr: true }).then(String)
        const text = await waitFor(
          log,
          (t) => (t.match(/ready to accept connections/g) ?? []).length >= 2,
          60_000,
        )
        expect(text).toContain('PostgreSQL init process complete; ready for start up.')
        expect(text.match(/ready to accept connections/g)).toHaveLength(2) // the temporary server, then the real one
        const port = (await container.inspect()).NetworkSettings.Ports['5432/tcp']?.[0]?.HostPort
        const app = `postgresql://postgres:x@127.0.0.1:${port}/app` // POSTGRES_DB and POSTGRES_PASSWORD honoured
        expect(await query(app, 'SELECT current_database() AS db')).toEqual([{ db: 'app' }])
      } finally {
        await container.remove({ force: true })
      }
    },
    120_000,
  )

  describe('a vitest run on the container provider', () => {
    const repo = join(import.meta.dirname, '..')
    const figures: string[] = []
    afterAll(() => console.log(`container provider, killed runs:\n${figures.join('\n')}`))

    /** `vitest run` of the sample project, in a process group of its own (as a terminal's job). */
    function nestedRun(waitMs: number) {
      const env: NodeJS.ProcessEnv = { ...process.env, DSTA_WAIT_MS: String(waitMs), NO_COLOR: '1' }
      for (const key of Object.keys(env))
        if (key.startsWith('VITEST') || key === 'TINYPOOL_WORKER_ID') delete env[key]
      const child = spawn(
        join(repo, 'node_modules/.bin/node'),
        [
          join(repo, 'node_modules/vitest/vitest.mjs'),
          'run',
          '--root',
          join(repo, 'test/fixtures-vitest/container'),
        ],
        { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
      )
      let output = ''
      child.stdout.on('data', (chunk) => (output += chunk))
      child.stderr.on('data', (chunk) => (output += chunk))
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
      return { child, exited, output: () => output }
    }

    it('passes, and the second run starts warm from the template saved by the first', async () => {
      for (let round = 1; round <= 2; round++) {
        const run = nestedRun(0)
        const code = await run.exited
        expect(code, run.output()).toBe(0)
        expect(run.output()).toMatch(/PostgreSQL \d+\.\d+ container · template dsta_tpl_\w+ (built|reused)/)
        if (round === 2) expect(run.output()).toContain(' reused')
        expect(await labelled(`dsta-db.pid=${run.child.pid}`)).toEqual([])
      }
    }, 240_000)

    it.each([
      ['SIGKILL', 'killed (SIGKILL)'],
      ['SIGINT', "Ctrl-C'd (SIGINT to its process group)"],
    ] as const)(
      'leaves no container when the run is %s',
      async (signal, how) => {
        const run = nestedRun(120_000)
        const pid = run.child.pid as number
        try {
          const waiting = await waitFor(
            async () => run.output(),
            (output) => output.includes('DSTA-WAITING') || run.child.exitCode !== null,
            120_000,
          )
          expect(waiting, run.output()).toContain('DSTA-WAITING')
          const during = (await labelled(`dsta-db.pid=${pid}`)).length
          expect(during).toBe(1)
          const killedAt = performance.now()
          if (signal === 'SIGKILL') run.child.kill('SIGKILL')
          else process.kill(-pid, 'SIGINT')
          await run.exited
          const left = await waitFor(
            () => labelled(`dsta-db.pid=${pid}`),
            (list) => list.length === 0,
            30_000,
          )
          const seconds = ((performance.now() - killedAt) / 1000).toFixed(1)
          figures.push(
            `  run ${how}: ${during} container while it ran, ${left.length} left ${seconds} s after`,
          )
          expect(left).toEqual([])
        } finally {
          try {
            process.kill(-pid, 'SIGKILL') // its workers, if any outlived it
          } catch {
            // the whole group is gone already
          }
        }
      },
      180_000,
    )
  })
})
