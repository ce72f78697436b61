// `dsta-db up` notices its server died: one line saying so, exit 4, nothing left behind — instead of
// saying "Ready" for minutes. Run as a user runs it: the built CLI in a process of its own.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startEmbedded } from '../src/server/index.js'
import { isAlive } from '../src/server/orphans.js'

const repo = join(import.meta.dirname, '..')
let baseDir: string
beforeAll(async () => {
  baseDir = await mkdtemp('/dev/shm/dsta-up-gone-')
  await (await startEmbedded({ baseDir })).stop() // the cluster, made once for the file
})
afterAll(() => rm(baseDir, { recursive: true, force: true }))

interface Up {
  child: ChildProcess
  out: string
  err: string
  exited: Promise<number | null>
}

function startUp(args: string[], env: NodeJS.ProcessEnv = {}, detached = false): Up {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DSTA_DB_TMPDIR: baseDir, NO_COLOR: '1', ...env }
  for (const key of Object.keys(childEnv)) if (key.startsWith('VITEST')) delete childEnv[key]
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL
  const child = spawn(join(repo, 'node_modules/.bin/node'), [join(repo, 'dist/cli/main.js'), 'up', ...args], {
    cwd: repo,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  })
  const up: Up = { child, out: '', err: '', exited: new Promise((resolve) => child.once('exit', resolve)) }
  child.stdout?.on('data', (chunk) => (up.out += chunk))
  child.stderr?.on('data', (chunk) => (up.err += chunk))
  return up
}

async function ready(up: Up): Promise<void> {
  for (let i = 0; i < 1200 && !up.out.includes('Ready.'); i++) {
    if (up.child.exitCode !== null) throw new Error(`up exited ${up.child.exitCode}: ${up.out}${up.err}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const segments = () =>
  readFileSync('/proc/sysvipc/shm', 'utf8')
    .split('\n')
    .map((line) => Number(line.trim().split(/\s+/)[1]))

test.skipIf(!existsSync('/proc/sysvipc/shm'))(
  'its postmaster killed: up says so in one line, exits 4, and leaves no folder, segment or process',
  async () => {
    const up = startUp([])
    await ready(up)
    const [folder] = readdirSync(baseDir).filter((entry) => entry.startsWith(`run-${up.child.pid}-`))
    const dataDir = join(baseDir, folder as string, 'data')
    const lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')
    const postmaster = Number(lines[0])
    const segment = Number((lines[6] ?? '').trim().split(/\s+/)[1])
    expect(segments()).toContain(segment)

    process.kill(postmaster, 'SIGKILL')
    const code = await up.exited
    expect(code).toBe(4)
    expect(up.err.trim().split('\n')).toHaveLength(1)
    expect(up.err).toMatch(
      /^error: the PostgreSQL server is gone \(postgres exited on SIGKILL\); its log \/dev\/shm\/dsta-up-gone-\w+\/run-\d+-\d+-\w+\/postgresql\.log last said: ".*database system is ready to accept connections"; dsta-db up stops and removes what it started\n$/,
    )
    expect(up.out).not.toContain('Stopping')
    expect(existsSync(join(baseDir, folder as string))).toBe(false)
    expect(segments()).not.toContain(segment)
    expect(isAlive(postmaster)).toBe(false)
  },
  120_000,
)

test('an external server stopped under it: up notices the lost connection, exits 4', async () => {
  const serverDir = await mkdtemp('/dev/shm/dsta-up-gone-server-')
  const server = await startEmbedded({ baseDir: serverDir })
  try {
    const url = new URL(server.url)
    url.pathname = '/postgres'
    const up = startUp(['--provider', 'external'], { DATABASE_URL: url.toString() })
    await ready(up)
    await server.stop() // a fast shutdown: the server ends every connection, ours included
    expect(await up.exited).toBe(4)
    expect(up.err).toMatch(
      /^error: the PostgreSQL server is gone \(lost the connection: .+\); dsta-db up stops/,
    )
    expect(up.err.trim().split('\n')).toHaveLength(1)
  } finally {
    await server.stop()
    await rm(serverDir, { recursive: true, force: true })
  }
}, 120_000)

test('Ctrl-C, which a terminal sends to the server too, is still a clean stop: exit 0, no "gone" line', async () => {
  const up = startUp([], {}, true)
  await ready(up)
  process.kill(-(up.child.pid as number), 'SIGINT') // the whole foreground group, as a terminal does
  expect(await up.exited).toBe(0)
  expect(up.out).toContain('Stopping…')
  expect(up.err).toBe('')
  expect(readdirSync(baseDir).filter((entry) => entry.startsWith(`run-${up.child.pid}-`))).toEqual([])
}, 120_000)
