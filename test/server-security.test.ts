// The embedded server is closed to other local users (a random password per cluster), and its cache
// (clusters, snapshots, binaries) belongs to the user running dsta-db: no one else, not even the
// server's own user, may write in it, and a start refuses a cache it did not make.
import { lstatSync, readdirSync } from 'node:fs'
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
