import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { chmod, cp, mkdir, mkdtemp, rm, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findBinaries } from '../src/server/binaries.js'
import type { StartedPostgres } from '../src/server/index.js'
import { defaultBaseDir, externalUrl, redact, startEmbedded, startPostgres } from '../src/server/index.js'
import { isAlive } from '../src/server/orphans.js'

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client(url)
  await client.connect()
  try {
    return (await client.query<T>(text)).rows
  } finally {
    await client.end()
  }
}

async function waitUntil(condition: () => boolean, attempts = 200): Promise<boolean> {
  for (let i = 0; i < attempts && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  return condition()
}

async function postmasterPid(url: string): Promise<number> {
  const [row] = await query<{ dir: string }>(url, "SELECT current_setting('data_directory') AS dir")
  return Number(readFileSync(join(row?.dir as string, 'postmaster.pid'), 'utf8').split('\n')[0])
}

describe('embedded provider', () => {
  let server: StartedPostgres
  beforeAll(async () => {
    server = await startPostgres({ provider: 'embedded' })
  })
  afterAll(() => server.stop())

  it('runs a real PostgreSQL 18 as an unprivileged user, durability off', async () => {
    expect(server.provider).toBe('embedded')
    expect(server.version).toMatch(/^18\.\d+$/)
    const [row] = await query<{ fsync: string; user: string; version: string }>(
      server.url,
      "SELECT current_setting('fsync') AS fsync, current_setting('server_version') AS version, current_user AS user",
    )
    expect(row).toEqual({ fsync: 'off', version: server.version, user: 'postgres' })
  })

  it('removes its data folder and process on stop, and stop can be called twice', async () => {
    const other = await startEmbedded()
    const pid = await postmasterPid(other.url)
    const runs = () =>
      readdirSync(defaultBaseDir()).filter((entry) => entry.startsWith(`run-${process.pid}-`))
    expect(runs().length).toBe(2)
    await other.stop()
    await other.stop()
    expect(isAlive(pid)).toBe(false)
    expect(runs().length).toBe(1)
  })

  it('stops itself when its parent is killed with SIGKILL', async () => {
    const script = `
      import { startEmbedded } from ${JSON.stringify(join(import.meta.dirname, '../src/server/index.ts'))}
      const server = await startEmbedded()
      console.log(server.url)
      setInterval(() => {}, 1000)`
    const child = spawn(
      process.execPath,
      ['--import', join(import.meta.dirname, 'support/register-ts.mjs'), '--input-type=module', '-e', script],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const url = await new Promise<string>((resolve) =>
      child.stdout.once('data', (chunk) => resolve(String(chunk).trim())),
    )
    const pid = await postmasterPid(url)
    expect(isAlive(pid)).toBe(true)
    child.kill('SIGKILL')
    expect(await waitUntil(() => !isAlive(pid))).toBe(true)
    const leftovers = () =>
      readdirSync(defaultBaseDir()).filter((entry) => entry.startsWith(`run-${child.pid}-`))
    expect(await waitUntil(() => leftovers().length === 0)).toBe(true)
  })

  it('removes folders of dead runs on the next start', async () => {
    const baseDir = await mkdtemp(join(tmpdir(), 'dsta-stale-'))
    const deadPid = 2 ** 22 + 17 // above the default pid_max, so never a live process
    await mkdir(join(baseDir, `run-${deadPid}-abc/data`), { recursive: true })
    const started = await startEmbedded({ baseDir })
    try {
      expect(existsSync(join(baseDir, `run-${deadPid}-abc`))).toBe(false)
    } finally {
      await started.stop()
      await rm(baseDir, { recursive: true, force: true })
    }
  })

  it('starts from a snapshot saved by a clean stop, with what the earlier run made', async () => {
    const baseDir = await mkdtemp(join(tmpdir(), 'dsta-snapshot-'))
    try {
      const first = await startEmbedded({ baseDir, snapshot: 'with-table' })
      expect(first.fromSnapshot).toBe(false)
      await query(first.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)')
      first.saveSnapshotOnStop?.('with-table')
      await first.stop()
      const second = await startEmbedded({ baseDir, snapshot: 'with-table' })
      expect(second.fromSnapshot).toBe(true)
      expect(await query(second.url, 'SELECT id FROM kept')).toEqual([{ id: 7 }])
      await query(second.url, 'INSERT INTO kept VALUES (8)') // not saved: this run asks for no snapshot
      await second.stop()
      const third = await startEmbedded({ baseDir, snapshot: 'with-table' })
      expect(await query(third.url, 'SELECT id FROM kept')).toEqual([{ id: 7 }])
      await third.stop()
      expect(() => third.saveSnapshotOnStop?.('../escape')).toThrow('snapshot name "../escape" must be')
    } finally {
      await rm(baseDir, { recursive: true, force: true })
    }
  })

  it('copies binaries the unprivileged server user cannot reach (a project under a closed folder)', async (context) => {
    if (process.getuid?.() !== 0) return context.skip() // only root hands the server to another user
    const closed = await mkdtemp(join(tmpdir(), 'dsta-closed-')) // mode 0700, like /root
    const baseDir = await mkdtemp(join(tmpdir(), 'dsta-base-'))
    try {
      const native = join(findBinaries().binDir, '..')
      await cp(native, join(closed, 'native'), { recursive: true, verbatimSymlinks: true })
      const started = await startEmbedded({ binDir: join(closed, 'native/bin'), baseDir })
      try {
        expect(await query(started.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }])
        expect(readdirSync(baseDir).filter((entry) => entry.startsWith('binaries-'))).toHaveLength(1)
      } finally {
        await started.stop()
      }
      await chmod(baseDir, 0o700)
      await expect(startEmbedded({ baseDir: join(closed, 'base') })).rejects.toThrow('cannot enter')
    } finally {
      await rm(closed, { recursive: true, force: true })
      await rm(baseDir, { recursive: true, force: true })
    }
  })

  it('keeps the three most recently used clusters, with their snapshots; one cluster per build, wherever it lies', async () => {
    const baseDir = await mkdtemp(join(tmpdir(), 'dsta-prune-'))
    try {
      for (const [index, key] of ['aaaaaaaaaaaa', 'bbbbbbbbbbbb', 'cccccccccccc'].entries()) {
        const fake = join(baseDir, `cluster-9.${index}-${key}`)
        await mkdir(join(fake, 'base'), { recursive: true })
        await mkdir(`${fake}.snapshot-x`)
        const used = new Date(Date.UTC(2020, 0, 1 + index))
        await utimes(fake, used, used)
      }
      const started = await startEmbedded({ baseDir })
      await started.stop()
      const left = readdirSync(baseDir).sort()
      expect(left.filter((entry) => entry.startsWith('cluster-9.'))).toEqual([
        'cluster-9.1-bbbbbbbbbbbb',
        'cluster-9.1-bbbbbbbbbbbb.snapshot-x',
        'cluster-9.2-cccccccccccc',
        'cluster-9.2-cccccccccccc.snapshot-x',
      ])
      // Another copy of the same binaries (another checkout) uses the same cluster: no new initdb.
      const copy = join(baseDir, 'checkout-2')
      await cp(join(findBinaries().binDir, '..'), join(copy, 'native'), {
        recursive: true,
        verbatimSymlinks: true,
      })
      const again = await startEmbedded({ baseDir, binDir: join(copy, 'native/bin') })
      await again.stop()
      expect(readdirSync(baseDir).filter((entry) => /^cluster-18/.test(entry))).toHaveLength(1)
    } finally {
      await rm(baseDir, { recursive: true, force: true })
    }
  })

  it('runs PostgreSQL binaries already on the machine with binDir', async (context) => {
    const root = '/usr/lib/postgresql'
    const versions = existsSync(root)
      ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin/postgres')))
      : []
    if (versions.length === 0) {
      console.log(
        `skipped: no PostgreSQL server binaries under ${root} (apt-get install postgresql provides them)`,
      )
      return context.skip()
    }
    const major = versions.sort().at(-1) as string
    const started = await startEmbedded({ binDir: join(root, major, 'bin') })
    try {
      expect(started.version.split('.')[0]).toBe(major)
      const [row] = await query<{ v: string }>(
        started.url,
        "SELECT current_setting('server_version_num') AS v",
      )
      expect(row?.v.slice(0, major.length)).toBe(major)
    } finally {
      await started.stop()
    }
  })

  it('names a binDir without binaries', async () => {
    await expect(startEmbedded({ binDir: '/nonexistent/bin' })).rejects.toThrow(
      'binDir /nonexistent/bin has no postgres and initdb binaries',
    )
  })

  it('uses a server named by DATABASE_URL with the external provider, and stops nothing', async () => {
    const external = await startPostgres({ env: { DATABASE_URL: server.url } })
    expect(external.provider).toBe('external')
    expect(external.version).toBe(server.version)
    await external.stop()
    expect(await query(server.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }])
  })
})

describe('external provider', () => {
  it("builds the address from the guide's DB_* variables", () => {
    const env = {
      DB_HOST: 'db.local',
      DB_PORT: '6543',
      DB_NAME: 'dsta_test',
      DB_USER: 'dsta_test',
      DB_PASSWORD: 'p@ss',
    }
    expect(externalUrl(env)).toBe('postgresql://dsta_test:p%40ss@db.local:6543/dsta_test')
    expect(externalUrl({ DATABASE_URL: 'postgresql://a@b/c', DB_HOST: 'x' })).toBe('postgresql://a@b/c')
    expect(externalUrl({})).toBeUndefined()
  })

  it('says which server it could not reach, without its password', async () => {
    const url = 'postgresql://dsta:secret@127.0.0.1:1/dsta_dev'
    expect(redact(url)).toBe('postgresql://dsta:***@127.0.0.1:1/dsta_dev')
    const attempt = startPostgres({ provider: 'external', url })
    await expect(attempt).rejects.toThrow(
      'could not reach the external PostgreSQL at postgresql://dsta:***@127.0.0.1:1/dsta_dev',
    )
    await expect(attempt).rejects.not.toThrow('secret')
  })

  it('refuses the external provider without an address, and an unknown provider', async () => {
    await expect(startPostgres({ provider: 'external', env: {} })).rejects.toThrow(
      'provider "external" needs DATABASE_URL',
    )
    // @ts-expect-error: a user's typo
    await expect(startPostgres({ provider: 'docker' })).rejects.toThrow('unknown provider "docker"')
  })
})
