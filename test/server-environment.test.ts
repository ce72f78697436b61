// The machine in the way: a port someone holds, a /dev/shm without room, a stale postmaster.pid in
// the cache, a base folder of another user. Each is handled (or refused) with a message that names
// the culprit and what to do, in one line and an exit code from the CLI.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type StartedPostgres, startEmbedded } from '../src/server/index.js'
import { isAlive } from '../src/server/orphans.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const isRoot = process.getuid?.() === 0

let baseDir: string
beforeAll(async () => {
  baseDir = await mkdtemp(join(tmpdir(), 'dsta-environment-'))
  await (await startEmbedded({ baseDir })).stop() // the cluster, made once for the file
})
afterAll(() => rm(baseDir, { recursive: true, force: true }))

/** Runs the built CLI; its exit code and output. */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env }
  for (const key of Object.keys(childEnv)) if (key.startsWith('VITEST')) delete childEnv[key]
  delete childEnv.DATABASE_URL
  const child = spawn(join(root, 'node_modules/.bin/node'), [join(root, 'dist/cli/main.js'), ...args], {
    cwd: root,
    env: childEnv,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })))
}

function holdPort(): Promise<{ port: number; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as { port: number }).port, server }),
    )
  })
}

async function connects(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url })
  try {
    await client.connect()
    return (await client.query('SELECT 1 AS one')).rows[0]?.one === 1
  } finally {
    await client.end().catch(() => {})
  }
}

const runFolders = (dir: string) => readdirSync(dir).filter((name) => /^(run|building)-/.test(name))

describe('a port in use', () => {
  it('a fixed port someone holds: refused before any copy, naming the port and what to do', async () => {
    const { port, server } = await holdPort()
    try {
      await expect(startEmbedded({ baseDir, port })).rejects.toThrow(
        new RegExp(`^port ${port} on 127\\.0\\.0\\.1 is already in use .*choose another port`),
      )
      expect(runFolders(baseDir)).toEqual([])
    } finally {
      server.close()
    }
  })

  it('`dsta-db up --port N` when N is taken: one line, exit 1, no stack', async () => {
    const { port, server } = await holdPort()
    try {
      const { code, stdout, stderr } = await cli(['up', '--port', String(port)], { DSTA_DB_TMPDIR: baseDir })
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' })
      expect(stderr).toBe(
        `error: port ${port} on 127.0.0.1 is already in use (another PostgreSQL, or an earlier \`dsta-db up\`?): ` +
          'choose another port (`--port`, the `port` option), or leave it out and a free one is picked\n',
      )
    } finally {
      server.close()
    }
  })
})

describe('a stale postmaster.pid in the cache', () => {
  // The pid of a live postmaster of the server's user (as when a cluster is copied while it runs):
  // postgres would take the lock file as that server's, and refuse to start.
  async function plant(dataDir: string): Promise<StartedPostgres> {
    const holder = await startEmbedded({ baseDir })
    const own = readdirSync(baseDir).filter((name) => name.startsWith(`run-${process.pid}-`))
    const pid = own
      .map((name) => readFileSync(join(baseDir, name, 'data/postmaster.pid'), 'utf8').split('\n')[0])
      .find((line) => line && isAlive(Number(line)))
    writeFileSync(
      join(dataDir, 'postmaster.pid'),
      `${pid}\n${dataDir}\n1700000000\n5432\n\n127.0.0.1\n  0 0\nready\n`,
    )
    return holder
  }

  it('in the cached cluster: the copy leaves it behind, the server starts', async () => {
    const cluster = readdirSync(baseDir).find((name) => /^cluster-[\d.]+-[0-9a-f]{12}$/.test(name)) as string
    const holder = await plant(join(baseDir, cluster))
    try {
      const server = await startEmbedded({ baseDir })
      expect(await connects(server.url)).toBe(true)
      await server.stop()
    } finally {
      await holder.stop()
      await rm(join(baseDir, cluster, 'postmaster.pid'), { force: true })
    }
  })

  it('in a snapshot: the same', async () => {
    const first = await startEmbedded({ baseDir, snapshot: 'stale-pid' })
    first.saveSnapshotOnStop?.('stale-pid')
    await first.stop()
    const snapshot = readdirSync(baseDir).find((name) => name.endsWith('.snapshot-stale-pid')) as string
    const holder = await plant(join(baseDir, snapshot))
    try {
      const server = await startEmbedded({ baseDir, snapshot: 'stale-pid' })
      expect(server.fromSnapshot).toBe(true)
      expect(await connects(server.url)).toBe(true)
      await server.stop()
    } finally {
      await holder.stop()
    }
  })
})

describe('a base folder left by another user', () => {
  it.skipIf(!isRoot)(
    '`dsta-db up`: refused in one line naming the folder, its owner and what to do',
    async () => {
      const foreign = await mkdtemp(join(tmpdir(), 'dsta-foreign-'))
      try {
        await chown(foreign, 65534, 65534)
        const { code, stdout, stderr } = await cli(['up'], { DSTA_DB_TMPDIR: foreign })
        expect({ code, stdout }).toEqual({ code: 1, stdout: '' })
        expect(stderr).toBe(
          `error: the cache folder ${foreign} belongs to uid 65534 (nobody), not to you (uid 0): ` +
            'dsta-db refuses a cache it did not make. Remove it, or set DSTA_DB_TMPDIR to a folder of your own.\n',
        )
        expect(readdirSync(foreign)).toEqual([]) // nothing written into it
      } finally {
        await rm(foreign, { recursive: true, force: true })
      }
    },
  )
})

/** A tmpfs of `size` mounted for the test (root only), or undefined where mounts are not allowed. */
function tinyTmpfs(size: string): string | undefined {
  if (!isRoot) return undefined
  const dir = join(tmpdir(), `dsta-tiny-${process.pid}-${size}`)
  mkdirSync(dir, { recursive: true })
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=755`, 'tmpfs', dir], { stdio: 'ignore' })
    return dir
  } catch {
    rmSync(dir, { recursive: true, force: true })
    return undefined
  }
}

describe('a /dev/shm without room', () => {
  // Mounted when the block runs (not when the file is collected: a filtered run would leave it).
  let tiny: string | undefined
  beforeAll(() => {
    tiny = tinyTmpfs('8M')
  })
  afterAll(() => {
    if (!tiny) return
    execFileSync('umount', [tiny])
    rmSync(tiny, { recursive: true, force: true })
  })
  beforeEach((context) => {
    if (!tiny) context.skip() // not root, or mounts not allowed here
  })

  it('a base folder too small: the start moves to the OS temp folder on disk and says so', async () => {
    const disk = await mkdtemp(join(tmpdir(), 'dsta-disk-'))
    await chmod(disk, 0o755) // the server's user passes through it
    try {
      const { code, stderr } = await cli(['up', '--demo'], { DSTA_DB_TMPDIR: tiny, TMPDIR: disk })
      expect(code, stderr).toBe(0)
      expect(stderr).toContain(
        `dsta-db: ${tiny} has 8 MB free, a start needs about 224 MB: using ${disk}/dsta-db (on disk: slower starts) instead.`,
      )
      expect(readdirSync(tiny as string)).toEqual([]) // nothing was written where there was no room
      expect(readdirSync(join(disk, 'dsta-db')).some((name) => name.startsWith('cluster-'))).toBe(true)
    } finally {
      await rm(disk, { recursive: true, force: true })
    }
  })

  it('no room there either: refused in one line naming both folders', async () => {
    const { code, stdout, stderr } = await cli(['up'], { DSTA_DB_TMPDIR: tiny, TMPDIR: tiny })
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' })
    expect(stderr).toBe(
      `error: no room for a PostgreSQL server: ${tiny} has 8 MB free and a start needs about 224 MB; ` +
        `${tiny}/dsta-db has 8 MB. Free some space, or set DSTA_DB_TMPDIR to a folder with room\n`,
    )
  })
})
