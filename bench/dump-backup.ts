/**
 * The streaming dump and the backup, measured through the built bin (`dist/cli/main.js`), each
 * command in its own process under /usr/bin/time (wall time, peak RSS):
 *  1. `dsta-db dump -o` of N and 2N days: peak RSS stays flat while the rows double; the dump as it
 *     was (every row in memory, `records.push(...rows)`) run on the same rows for comparison.
 *  2. On PostgreSQL 15 (Debian's binaries through `binDir`, where pg_dump 15 matches the server):
 *     `dsta-db backup --format dsta` vs `pg_dump -Fc`, and `dsta-db restore` vs
 *     `pg_restore --single-transaction`, alternating, ROUNDS rounds, medians.
 *   npm run build && npm run bench -- bench/dump-backup.ts [days=15] [rounds=3]
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { generateTestData } from '../src/generate/index.js'
import { migrate } from '../src/migrate/index.js'
import { createDstaPool } from '../src/schema/index.js'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const node = join(root, 'node_modules/.bin/node')
const bin = join(root, 'dist/cli/main.js')
const PG15 = '/usr/lib/postgresql/15/bin'
const days = Number(process.argv[2] ?? 15)
const rounds = Number(process.argv[3] ?? 3)
const dir = await mkdtemp(join(tmpdir(), 'dsta-bench-'))

/** Runs a command under /usr/bin/time: wall seconds and peak RSS in MB. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ seconds: number; rssMb: number; ok: boolean; err: string }>((resolve) => {
    execFile(
      '/usr/bin/time',
      ['-f', 'TIME %e %M', command, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 1 << 26 },
      (error, _out, err) => {
        const [, seconds, kb] = /TIME ([\d.]+) (\d+)/.exec(err) ?? []
        resolve({ seconds: Number(seconds), rssMb: Number(kb) / 1024, ok: !error, err })
      },
    )
  })
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

async function fill(
  server: StartedPostgres,
  name: string,
  span: number,
): Promise<{ url: string; rows: number }> {
  const admin = new pg.Client(server.url)
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = server.url.replace(/\/postgres$/, `/${name}`)
  await migrate(url)
  const pool = await createDstaPool(url)
  const counts = await generateTestData(pool, { days: span })
  await pool.end()
  return { url, rows: counts.candlesticks + counts.trades + counts.orderBooks + counts.marketMetrics }
}

async function createEmpty(server: StartedPostgres, name: string): Promise<string> {
  const admin = new pg.Client(server.url)
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  return server.url.replace(/\/postgres$/, `/${name}`)
}

/** The dump as it was before streaming: every row in memory, one spread push per table. */
const OLD_DUMP = `
import pg from '${join(root, 'node_modules/pg/lib/index.js')}'
const client = new pg.Client(process.argv[1]); await client.connect()
const records = []
for (const table of ['candlesticks', 'trades', 'order_books', 'market_metrics']) {
  const { rows } = await client.query('SELECT * FROM ' + table + ' ORDER BY id')
  records.push(...rows.map((row) => ({ model: table, pk: row.id, fields: row })))
}
process.stdout.write(String(records.length))
await client.end()`

try {
  // 1. dump: N and 2N days on the embedded server (18)
  const server = await startPostgres({ provider: 'embedded' })
  try {
    for (const span of [days, 2 * days]) {
      const { url, rows } = await fill(server, `dump_${span}`, span)
      const out = join(dir, `dump-${span}.json`)
      const dump = await timed(node, [bin, 'dump', '-o', out, '--database-url', url])
      const size = (await stat(out)).size / 1e6
      const old = await timed(node, ['--input-type=module', '-e', OLD_DUMP, url])
      console.log(
        `dump ${span} days, ${rows.toLocaleString('en')} rows, ${size.toFixed(0)} MB: streaming ${dump.seconds.toFixed(1)} s, ` +
          `peak RSS ${dump.rssMb.toFixed(0)} MB (${(rows / dump.seconds / 1000).toFixed(0)} k rows/s) · ` +
          `as it was: ${old.ok ? `${old.seconds.toFixed(1)} s, peak RSS ${old.rssMb.toFixed(0)} MB` : `failed after ${old.seconds.toFixed(1)} s, peak RSS ${old.rssMb.toFixed(0)} MB (${/Maximum call stack size exceeded|heap out of memory/.exec(old.err)?.[0] ?? old.err.slice(-200)})`}`,
      )
    }
    const { url } = { url: server.url.replace(/\/postgres$/, `/dump_${2 * days}`) }
    const file = join(dir, 'embedded.dump')
    const made = await timed(node, [
      bin,
      'backup',
      '--format',
      'dsta',
      '-o',
      file,
      '--database-url',
      url,
      '--quiet',
    ])
    const target = await createEmpty(server, 'restored_18')
    const back = await timed(node, [bin, 'restore', file, '--database-url', target, '--quiet'])
    console.log(
      `PostgreSQL 18, ${2 * days} days: dsta backup ${made.seconds.toFixed(1)} s (peak RSS ${made.rssMb.toFixed(0)} MB, ` +
        `${((await stat(file)).size / 1e6).toFixed(0)} MB file) · restore ${back.seconds.toFixed(1)} s (peak RSS ${back.rssMb.toFixed(0)} MB)`,
    )
  } finally {
    await server.stop()
  }

  // 2. side by side with pg_dump / pg_restore on a server they match
  if (!existsSync(join(PG15, 'pg_dump'))) console.log(`no ${PG15}: pg_dump comparison skipped`)
  else {
    const server15 = await startPostgres({ provider: 'embedded', binDir: PG15 })
    try {
      const { url, rows } = await fill(server15, 'source15', 2 * days)
      const times: Record<string, number[]> = { dsta: [], pgDump: [], dstaRestore: [], pgRestore: [] }
      const rss: Record<string, number[]> = { dsta: [], pgDump: [], dstaRestore: [], pgRestore: [] }
      const sizes: Record<string, number> = {}
      for (let round = 0; round < rounds; round++) {
        const ours = join(dir, 'ours.dump')
        const theirs = join(dir, 'theirs.dump')
        const order = round % 2 ? ['pgDump', 'dsta'] : ['dsta', 'pgDump']
        for (const which of order) {
          const run =
            which === 'dsta'
              ? await timed(node, [
                  bin,
                  'backup',
                  '--format',
                  'dsta',
                  '-o',
                  ours,
                  '--database-url',
                  url,
                  '--quiet',
                ])
              : await timed(join(PG15, 'pg_dump'), ['-Fc', '-f', theirs, '-d', url])
          if (!run.ok) throw new Error(run.err)
          times[which]?.push(run.seconds)
          rss[which]?.push(run.rssMb)
        }
        sizes.dsta = (await stat(ours)).size / 1e6
        sizes.pgDump = (await stat(theirs)).size / 1e6
        for (const which of round % 2 ? ['pgRestore', 'dstaRestore'] : ['dstaRestore', 'pgRestore']) {
          const target = await createEmpty(server15, 'target15')
          const run =
            which === 'dstaRestore'
              ? await timed(node, [bin, 'restore', ours, '--database-url', target, '--quiet'])
              : await timed(join(PG15, 'pg_restore'), [
                  '--single-transaction',
                  '--exit-on-error',
                  '--no-owner',
                  '-d',
                  target,
                  theirs,
                ])
          if (!run.ok) throw new Error(run.err)
          times[which]?.push(run.seconds)
          rss[which]?.push(run.rssMb)
        }
      }
      const line = (name: string, key: string) =>
        `${name} ${median(times[key] ?? []).toFixed(2)} s (${(rows / median(times[key] ?? []) / 1000).toFixed(0)} k rows/s, peak RSS ${median(rss[key] ?? []).toFixed(0)} MB)`
      console.log(`PostgreSQL 15, ${rows.toLocaleString('en')} rows, medians of ${rounds}:`)
      console.log(
        `  backup:  ${line('dsta', 'dsta')} · ${line('pg_dump -Fc', 'pgDump')} · ratio ${(median(times.pgDump ?? []) / median(times.dsta ?? [])).toFixed(2)}× · files ${sizes.dsta?.toFixed(0)} vs ${sizes.pgDump?.toFixed(0)} MB`,
      )
      console.log(
        `  restore: ${line('dsta', 'dstaRestore')} · ${line('pg_restore', 'pgRestore')} · ratio ${(median(times.pgRestore ?? []) / median(times.dstaRestore ?? [])).toFixed(2)}×`,
      )
    } finally {
      await server15.stop()
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
