import { execFile, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import pg from 'pg'
import { beforeAll, describe, expect, test } from 'vitest'
import { migrate } from '../src/migrate/index.js'
import { defaultBaseDir, startPostgres } from '../src/server/index.js'

/** The password of the embedded server at `url` (printed masked): the cached clusters' files, tried in turn. */
async function cachedPassword(url: string): Promise<string> {
  const base = defaultBaseDir()
  for (const entry of readdirSync(base).filter((name) => /^cluster-[\d.]+-[0-9a-f]{12}$/.test(name))) {
    let password: string
    try {
      password = readFileSync(join(base, entry, 'dsta-db.password'), 'utf8').trim()
    } catch {
      continue
    }
    const client = new pg.Client({ connectionString: url.replace(':***@', `:${password}@`) })
    client.on('error', () => {})
    const ok = await client.connect().then(
      () => true,
      () => false,
    )
    await client.end().catch(() => {})
    if (ok) return password
  }
  throw new Error(`no cached password opens ${url}`)
}

const root = fileURLToPath(new URL('..', import.meta.url))
const node = join(root, 'node_modules/.bin/node')
const bin = join(root, 'dist/cli/main.js')

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** Builds `dist/` when it is missing or older than `src/` (tsc emits even if another module has a type error). */
beforeAll(async () => {
  const built = (() => {
    try {
      return statSync(bin).mtimeMs
    } catch {
      return 0
    }
  })()
  if (built < newestMtime(join(root, 'src')))
    await promisify(execFile)(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], {
      cwd: root,
    }).catch(() => {})
  expect(statSync(bin).mtimeMs).toBeGreaterThan(0)
}, 120_000)

function runBin(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile(node, [bin, ...args], { env: { PATH: process.env.PATH, ...env } }, (error, out, err) =>
      resolve({ code: error ? (error.code as number) : 0, out, err }),
    )
  })
}

describe('the dsta-db bin', () => {
  test('starts with a shebang for the user’s node', () => {
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  test('--help loads commander and nothing else (each command loads its modules when it runs)', async () => {
    const hook = join(root, 'test/support/trace-packages.mjs')
    const { stderr } = await promisify(execFile)(node, ['--import', hook, bin, '--help'])
    expect(stderr.trim()).toBe('packages: commander')
  })

  test('exit codes: 2 for usage, 1 for failures, one line and no stack trace', async () => {
    const unknown = await runBin(['migrate', '--bogus'])
    expect(unknown.code).toBe(2)
    expect(unknown.err).toMatch(/^error: unknown option '--bogus'/)
    const noDatabase = await runBin(['status'])
    expect(noDatabase.code).toBe(2)
    expect(noDatabase.err).toMatch(/^error: no database to connect to/)
    const refused = await runBin(['load', 'x.json'], {
      DATABASE_URL: 'postgresql://dsta:secret@127.0.0.1:1/dsta_dev',
    })
    expect(refused.code).toBe(1)
    expect(refused.err).toMatch(
      /^error: cannot connect to postgresql:\/\/dsta:\*\*\*@127\.0\.0\.1:1\/dsta_dev: .*ECONNREFUSED/,
    )
    expect(refused.err.trim().split('\n')).toHaveLength(1)
    expect(refused.err).not.toContain('secret')
    expect((await runBin(['--version'])).out).toMatch(/^\d+\.\d+\.\d+\n$/)
  })

  test('up: prints DATABASE_URL of a migrated database, serves until Ctrl-C, then stops the server', async () => {
    const child = spawn(node, [bin, 'up'], { env: { PATH: process.env.PATH } })
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => out.includes('Ready.') && resolve())
      exited.then(() => reject(new Error(`up exited early:\n${out}`)))
    })
    const log = /Server log: (\S+)/.exec(out)?.[1] as string
    expect(readFileSync(log, 'utf8')).toContain('database system is ready to accept connections')
    const url = /DATABASE_URL=(\S+)/.exec(out)?.[1] as string
    // Printed without its password (random per cached cluster, in a file only its owner reads).
    expect(url).toMatch(/^postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/dsta$/)
    const client = new pg.Client({ connectionString: url.replace(':***@', `:${await cachedPassword(url)}@`) })
    await client.connect()
    expect((await client.query('SELECT count(*)::int AS n FROM candlesticks')).rows).toEqual([{ n: 0 }])
    await client.end()
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(out).toContain('Stopping…')
    const after = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
    after.on('error', () => {})
    await expect(after.connect()).rejects.toThrow()
  })

  test('Ctrl-C to the whole group while up starts its server: exit 130, one line, nothing left', async () => {
    // Its own process group, signalled as a terminal does: the server gets the SIGINT too.
    const child = spawn(node, [bin, 'up'], { env: { PATH: process.env.PATH }, detached: true })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => (err += chunk))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    const base = defaultBaseDir()
    const ownRuns = () => readdirSync(base).filter((name) => name.startsWith(`run-${child.pid}-`))
    // The moment postgres is spawned (its log file appears), well before it is ready and migrated.
    const spawned = async () => {
      for (;;) {
        if (ownRuns().some((run) => existsSync(join(base, run, 'postgresql.log')))) return true
        if (child.exitCode !== null) return false
        await new Promise((resolve) => setTimeout(resolve, 2))
      }
    }
    expect(await spawned()).toBe(true)
    process.kill(-(child.pid as number), 'SIGINT')
    const code = await exited
    if (out.includes('Ready.'))
      expect(code).toBe(0) // the signal came after all: a normal stop
    else {
      expect(code).toBe(130)
      expect(err.trim().split('\n')).toEqual([
        expect.stringMatching(/^error: interrupted \(Ctrl-C\); the server is stopped and nothing is left$/),
      ])
    }
    expect(ownRuns()).toEqual([])
  })

  test('Ctrl-C during a long command: exit 130 at once, one line, nothing committed', async () => {
    const server = await startPostgres({ provider: 'embedded' })
    try {
      await migrate(server.url)
      const child = spawn(node, [bin, 'generate', '--days', '120'], {
        env: { PATH: process.env.PATH, DATABASE_URL: server.url },
      })
      let out = ''
      let err = ''
      child.stdout.on('data', (chunk) => {
        out += chunk
      })
      child.stderr.on('data', (chunk) => {
        err += chunk
      })
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', () => /\d+%/.test(err) && resolve()) // progress: loading has begun
        exited.then(() => reject(new Error(`generate ended before it was interrupted:\n${out}${err}`)))
      })
      child.kill('SIGINT')
      expect(await exited).toBe(130)
      expect(err.trim().split('\n').at(-1)).toBe(
        'dsta-db: interrupted; the transaction in progress is rolled back',
      )
      expect(err).not.toMatch(/^\s+at /m) // no stack trace
      expect(out).not.toContain('Created') // it stopped before the end
      const client = new pg.Client(server.url)
      await client.connect()
      // The server notices the dropped connection and rolls back; give it a moment.
      for (let i = 0; i < 50; i++) {
        const { rows } = await client.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state LIKE '%transaction%' AND pid <> pg_backend_pid()",
        )
        if (rows[0].n === 0) break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const { rows } = await client.query(
        'SELECT (SELECT count(*) FROM candlesticks) + (SELECT count(*) FROM trades) AS n',
      )
      await client.end()
      expect(Number(rows[0].n)).toBe(0)
    } finally {
      await server.stop()
    }
  }, 120_000)
})
