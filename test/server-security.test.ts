// The embedded server is closed to other local users (a random password per cluster), and its cache
// (clusters, snapshots, binaries) belongs to the user running dsta-db: no one else, not even the
// server's own user, may write in it, and a start refuses a cache it did not make. Its Unix socket,
// for the test workers, lets in our own OS user alone (peer authentication).
import { spawnSync } from 'node:child_process'
import { lstatSync, readdirSync } from 'node:fs'
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join, relative } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StartedPostgres, startEmbedded } from '../src/server/index.js'
import { unprivilegedUser } from '../src/server/user.js'

let baseDir: string
let server: StartedPostgres
beforeAll(async () => {
  baseDir = await mkdtemp(join(tmpdir(), 'dsta-security-'))
  server = await startEmbedded({ baseDir, snapshot: 'secured' })
})
afterAll(async () => {
  await server?.stop()
  await rm(baseDir, { recursive: true, force: true })
})

async function connects(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.end()
    return 'connected'
  } catch (error) {
    return (error as Error).message
  }
}

describe('the server', () => {
  it('asks for the password, random per cluster: no password or a wrong one is refused', async () => {
    const url = new URL(server.url)
    expect(url.password).toMatch(/^[\w-]{32}$/)
    expect(url.hostname).toBe('127.0.0.1')
    expect(await connects(server.url)).toBe('connected')
    url.password = 'wrong'
    expect(await connects(url.toString())).toMatch(/password authentication failed for user "postgres"/)
    url.password = ''
    expect(await connects(url.toString())).not.toBe('connected')
  })

  it('keeps its password in the cache, readable by its owner alone, and a snapshot keeps it', async () => {
    const cluster = readdirSync(baseDir).find((entry) =>
      /^cluster-[\d.]+-[0-9a-f]{12}$/.test(entry),
    ) as string
    const file = lstatSync(join(baseDir, cluster, 'dsta-db.password'))
    expect(file.uid).toBe(process.getuid?.())
    expect(file.mode & 0o077).toBe(0)
    server.saveSnapshotOnStop?.('secured')
    await server.stop()
    server = await startEmbedded({ baseDir, snapshot: 'secured' })
    expect(server.fromSnapshot).toBe(true)
    expect(await connects(server.url)).toBe('connected')
  })

  it('leaves no cache entry writable by the server user or by others', async () => {
    for (const entry of readdirSync(baseDir).filter((name) => !name.startsWith('run-'))) {
      const found = lstatSync(join(baseDir, entry))
      expect({ entry, uid: found.uid, othersWrite: found.mode & 0o022 }).toEqual({
        entry,
        uid: process.getuid?.(),
        othersWrite: 0,
      })
    }
    const run = readdirSync(baseDir).find((name) => name.startsWith(`run-${process.pid}-`)) as string
    const user = unprivilegedUser()
    if (user) expect(lstatSync(join(baseDir, run, 'data')).uid).toBe(user.uid) // the copy is the server's
  })
})

describe('its Unix socket, for the test workers', () => {
  const overSocket = (as?: { user?: string }) => ({
    host: server.socketDir as string,
    port: Number(new URL(server.url).port),
    user: as?.user ?? 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 5000,
  })

  it('lives in the run folder, the server user alone may enter it, and lets us in as postgres without a password', async () => {
    const runDir = dirname(server.logFile as string)
    expect(server.socketDir).toBe(join(runDir, 'socket'))
    const folder = lstatSync(server.socketDir as string)
    expect(folder.mode & 0o777).toBe(0o700)
    expect(folder.uid).toBe(unprivilegedUser()?.uid ?? process.getuid?.())
    const client = new pg.Client(overSocket())
    await client.connect()
    const { rows } = await client.query('SELECT inet_client_addr() AS addr, current_user AS who')
    expect(rows).toEqual([{ addr: null, who: 'postgres' }])
    // one line of ours in each file, however many times the data folder went through a snapshot
    const rules = await client.query(
      "SELECT count(*)::int AS n FROM pg_hba_file_rules WHERE auth_method = 'peer' AND error IS NULL",
    )
    const maps = await client.query(
      'SELECT count(*)::int AS n FROM pg_ident_file_mappings WHERE error IS NULL',
    )
    await client.end()
    expect([rules.rows[0].n, maps.rows[0].n]).toEqual([1, 1])
  })

  it('lets our OS user in as postgres alone: any other role is asked for a password there too', async () => {
    const client = new pg.Client(overSocket({ user: 'dsta_nobody' }))
    client.on('error', () => {})
    await expect(client.connect()).rejects.toThrow(/password must be a string/) // SCRAM, and none given
  })

  it('is not offered when settings of your own decide the socket, and our lines go', async () => {
    const withLines = await startEmbedded({ baseDir, snapshot: 'with-lines' })
    withLines.saveSnapshotOnStop?.('with-lines')
    await withLines.stop()
    const own = await startEmbedded({
      baseDir,
      snapshot: 'with-lines',
      settings: { unix_socket_directories: '' },
    })
    try {
      expect(own.fromSnapshot).toBe(true)
      expect(own.socketDir).toBeUndefined()
      const client = new pg.Client({ connectionString: own.url })
      await client.connect()
      const { rows } = await client.query(
        `SELECT (SELECT count(*)::int FROM pg_hba_file_rules WHERE auth_method = 'peer') AS rules,
                (SELECT count(*)::int FROM pg_ident_file_mappings) AS maps`,
      )
      await client.end()
      expect(rows).toEqual([{ rules: 0, maps: 0 }])
    } finally {
      await own.stop()
    }
  })

  it('is an absolute path when the base folder is given as a relative one', async () => {
    const relativeBase = relative(process.cwd(), baseDir)
    const other = await startEmbedded({ baseDir: relativeBase })
    try {
      expect(isAbsolute(other.socketDir as string)).toBe(true)
      const client = new pg.Client({
        ...overSocket(),
        host: other.socketDir as string,
        port: Number(new URL(other.url).port),
      })
      await client.connect()
      await client.end()
    } finally {
      await other.stop()
    }
  })

  // Root's server runs as nobody, who may enter the folder: the kernel's word on who connects keeps it out.
  it.runIf(unprivilegedUser())('refuses another OS user, even the server user', () => {
    const user = unprivilegedUser() as { uid: number; gid: number }
    const script = `const pg = require(${JSON.stringify(createRequire(import.meta.url).resolve('pg'))});
      const c = new pg.Client(${JSON.stringify(overSocket())}); c.on('error', () => {});
      c.connect().then(() => { console.log('connected'); return c.end() }, (e) => console.log(e.message))`
    const child = spawnSync(process.execPath, ['-e', script], {
      uid: user.uid,
      gid: user.gid,
      encoding: 'utf8',
    })
    expect(child.stdout + child.stderr).toMatch(/Peer authentication failed for user "postgres"/)
  })
})

describe('a cache it did not make', () => {
  it.each([
    [
      'owned by another user',
      async (dir: string) => chown(dir, 65534, 65534),
      /belongs to uid 65534 \(nobody\), not to you/,
    ],
    ['writable by others', async (dir: string) => chmod(dir, 0o777), /is writable by others \(mode 777\)/],
  ])('a base folder %s: refused, with what to do', async (_, spoil, message) => {
    if (process.getuid?.() !== 0 && _ === 'owned by another user') return // only root can give it away
    const dir = await mkdtemp(join(tmpdir(), 'dsta-foreign-'))
    try {
      await spoil(dir)
      const attempt = startEmbedded({ baseDir: dir })
      await expect(attempt).rejects.toThrow(message)
      await expect(attempt).rejects.toThrow('dsta-db refuses a cache it did not make')
      await expect(attempt).rejects.toThrow('set DSTA_DB_TMPDIR')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('a cached cluster owned by the server user (as one made before, or planted): refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dsta-planted-'))
    try {
      const first = await startEmbedded({ baseDir: dir })
      await first.stop()
      expect(new URL(first.url).password).not.toBe(new URL(server.url).password) // random per cluster
      const cluster = readdirSync(dir).find((name) => name.startsWith('cluster-')) as string
      await chmod(join(dir, cluster), 0o770)
      await expect(startEmbedded({ baseDir: dir })).rejects.toThrow(
        /the cached cluster \S+ is writable by others/,
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
