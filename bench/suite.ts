// Benchmark of issues 3 and 12: 1 000 small tests (INSERT + count) in 20 files, run several ways in
// one go, side by side: dstaDb() with `pool` and with `db`, the hand-written fixtures a team would
// write instead (raw pg and Slonik: BEGIN per file, SAVEPOINT / ROLLBACK TO per test; TRUNCATE before
// each test), and no database at all (Vitest's floor). Each project gets dsta-db installed as a user
// has it: a copy of the package's files in its own node_modules (the other packages linked from ours),
// imported as `dsta-db` / `dsta-db/vitest`. Run `npm run build` first.
// Run:
//   npm run bench -- bench/suite.ts [--runs 3] [--files 20] [--tests 50] [--pool forks|threads]
//     [--no-isolate] [--ways none,pool,db,pg,slonik,truncate] [--no-compile-cache]
import { spawn } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const repo = fileURLToPath(new URL('../', import.meta.url))
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    files: { type: 'string', default: '20' },
    tests: { type: 'string', default: '50' },
    pool: { type: 'string', default: 'forks' },
    // Vitest's isolate: false (workers reuse their modules across files) for every way.
    'no-isolate': { type: 'boolean', default: false },
    // NODE_DISABLE_COMPILE_CACHE for every way: what dstaDb()'s compile cache is worth.
    'no-compile-cache': { type: 'boolean', default: false },
    ways: { type: 'string', default: 'none,pool,db,pg,slonik' },
  },
})
const isolate = !values['no-isolate']
const runs = Number(values.runs)
const files = Number(values.files)
const tests = Number(values.tests)
const pool = values.pool
if (pool !== 'forks' && pool !== 'threads') throw new Error('--pool must be forks or threads')

type Way = 'none' | 'pool' | 'db' | 'pg' | 'slonik' | 'truncate'
const ALL: Way[] = ['none', 'pool', 'db', 'pg', 'slonik', 'truncate']
const WAYS = values.ways.split(',') as Way[]
for (const way of WAYS) if (!ALL.includes(way)) throw new Error(`--ways: unknown way ${way}`)
if (!existsSync(join(repo, 'dist/vitest/index.js'))) throw new Error('run `npm run build` first')

const INSERT = `INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price,
  low_price, close_price, volume, quote_volume) VALUES ('binance', 'BENCH', '1h', now(), 1, 1, 1, 1, 1, 1)`
const COUNT = 'SELECT count(*)::int AS n FROM candlesticks'
function config(way: Way): string {
  const test = `include: ['*.test.ts'], pool: '${pool}', isolate: ${isolate}`
  if (way === 'pool' || way === 'db')
    return `import { defineConfig } from 'vitest/config'
import { dstaDb } from 'dsta-db/vitest'
export default defineConfig({ plugins: [dstaDb()], test: { ${test} } })\n`
  if (way === 'none')
    return `import { defineConfig } from 'vitest/config'
export default defineConfig({ test: { ${test} } })\n`
  return `import { defineConfig } from 'vitest/config'
export default defineConfig({ test: { ${test}, globalSetup: ['./server-setup.ts'] } })\n`
}

// The hand-written baselines: one server and one migrated database for the run.
const SERVER_SETUP = `import { migrate, startPostgres } from 'dsta-db'
export default async function setup(project) {
  const server = await startPostgres()
  await migrate(server.url)
  project.provide('benchUrl', server.url)
  return () => server.stop()
}\n`

// What each way's file starts with: the fixture, as its users would write it.
const HEADERS: Record<Way, string> = {
  none: `import { expect, test } from 'vitest'\n`,
  pool: `import { expect, test } from 'dsta-db/vitest'\n`,
  db: `import { sql } from 'slonik'\nimport { expect, test } from 'dsta-db/vitest'\n`,
  // node-postgres by hand: one client per file, BEGIN for the file, a savepoint per test.
  pg: `import pg from 'pg'
import { afterAll, afterEach, beforeAll, beforeEach, expect, inject, test as base } from 'vitest'
const client = new pg.Client({ connectionString: inject('benchUrl') })
beforeAll(async () => { await client.connect(); await client.query('BEGIN') })
beforeEach(async () => { await client.query('SAVEPOINT t') })
afterEach(async () => { await client.query('ROLLBACK TO SAVEPOINT t') })
afterAll(async () => { await client.query('ROLLBACK'); await client.end() })
const test = base.extend({ pool: async ({}, use) => use(client) })
`,
  // Slonik by hand: a pool per file, one connection held in BEGIN for the file, a savepoint per test.
  slonik: `import { createPool, sql } from 'slonik'
import { afterAll, afterEach, beforeAll, beforeEach, expect, inject, test as base } from 'vitest'
const pool = await createPool(inject('benchUrl'))
let connection, release, done
beforeAll(async () => {
  await new Promise((ready) => {
    done = pool.connect(async (c) => {
      connection = c
      await c.query(sql.unsafe\`BEGIN\`)
      ready()
      await new Promise((r) => { release = r })
      await c.query(sql.unsafe\`ROLLBACK\`)
    })
  })
})
beforeEach(async () => { await connection.query(sql.unsafe\`SAVEPOINT t\`) })
afterEach(async () => { await connection.query(sql.unsafe\`ROLLBACK TO SAVEPOINT t\`) })
afterAll(async () => { release(); await done; await pool.end() })
const test = base.extend({ db: async ({}, use) => use(connection) })
`,
  truncate: `import { sql } from 'slonik'
import { afterAll, beforeEach, expect, inject, test as base } from 'vitest'
import { createDstaPool } from 'dsta-db'
const pool = await createDstaPool(inject('benchUrl'))
afterAll(() => pool.end())
beforeEach(async () => { await pool.query(sql.unsafe\`TRUNCATE candlesticks, trades, order_books, market_metrics\`) })
const test = base.extend({ db: async ({}, use) => use(pool) })
`,
}

function body(way: Way, i: number): string {
  if (way === 'none') return `test('t${i}', () => { expect(${i} + 1).toBe(${i + 1}) })`
  if (way === 'pool' || way === 'pg')
    return `test('t${i}', async ({ pool }) => {
  await pool.query(\`${INSERT}\`)
  expect((await pool.query('${COUNT}')).rows[0].n).toBe(1)
})`
  return `test('t${i}', async ({ db }) => {
  await db.query(sql.unsafe\`${INSERT}\`)
  expect(await db.oneFirst(sql.unsafe\`${COUNT}\`)).toBe(1)
})`
}

/**
 * node_modules as a user's install has it: our dependencies linked from the repo's, dsta-db itself a
 * real copy of its published files. (Imported by absolute path instead, Vite would bundle dsta-db
 * into the config and run it through its module runner: ~0.4 s a run that no user pays.)
 */
function installPackage(dir: string): void {
  const modules = join(dir, 'node_modules')
  mkdirSync(modules)
  for (const entry of readdirSync(join(repo, 'node_modules')))
    if (!entry.startsWith('.vite')) symlinkSync(join(repo, 'node_modules', entry), join(modules, entry))
  const own = join(modules, 'dsta-db')
  const { files } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { files: string[] }
  for (const path of ['package.json', ...files])
    cpSync(join(repo, path), join(own, path), { recursive: true })
}

function makeProject(way: Way): string {
  const dir = mkdtempSync(join(tmpdir(), `dsta-bench-${way}-`))
  installPackage(dir)
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  writeFileSync(join(dir, 'vitest.config.ts'), config(way))
  if (way === 'pg' || way === 'slonik' || way === 'truncate')
    writeFileSync(join(dir, 'server-setup.ts'), SERVER_SETUP)
  for (let i = 0; i < files; i++) {
    const cases = Array.from({ length: tests }, (_, t) => body(way, t)).join('\n')
    writeFileSync(
      join(dir, `f${String(i).padStart(2, '0')}.test.ts`),
      `${HEADERS[way]}// file ${i}\n${cases}\n`,
    )
  }
  return dir
}

type Phases = Record<'setup' | 'collect' | 'first' | 'rest', number>

async function runVitest(dir: string, phases?: Phases[]): Promise<number> {
  const started = performance.now()
  const report = join(dir, 'report.json')
  const phasesFile = join(dir, 'phases.json')
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', DSTA_BENCH_PHASES: phasesFile }
  if (values['no-compile-cache']) env.NODE_DISABLE_COMPILE_CACHE = '1'
  const child = spawn(
    join(repo, 'node_modules/.bin/node'),
    [
      join(repo, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--root',
      dir,
      '--reporter=json',
      `--reporter=${repo}bench/support/phases-reporter.mjs`,
      `--outputFile=${report}`,
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env },
  )
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  const elapsed = performance.now() - started
  const result = existsSync(report)
    ? (JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numTotalTests: number })
    : { numPassedTests: 0, numTotalTests: 0 }
  if (code !== 0 || result.numPassedTests !== files * tests)
    throw new Error(
      `run in ${dir} failed (${code}): ${result.numPassedTests}/${result.numTotalTests}\n${stderr}`,
    )
  phases?.push(JSON.parse(readFileSync(phasesFile, 'utf8')) as Phases)
  return elapsed
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

const projects = Object.fromEntries(WAYS.map((way) => [way, makeProject(way)])) as Record<Way, string>
const times = Object.fromEntries(WAYS.map((way) => [way, [] as number[]])) as Record<Way, number[]>
const phases = Object.fromEntries(WAYS.map((way) => [way, [] as Phases[]])) as Record<Way, Phases[]>
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '?'
const loads: string[] = [load()]
try {
  // Warm-up: Vite's caches, the embedded cluster cache, the compile cache, the OS page cache.
  for (const way of WAYS) await runVitest(projects[way])
  for (let run = 0; run < runs; run++) {
    for (const way of WAYS) times[way].push(await runVitest(projects[way], phases[way])) // interleaved: load drifts hit all alike
    loads.push(load())
  }
} finally {
  for (const dir of Object.values(projects)) rmSync(dir, { recursive: true, force: true })
}

// Ratios are taken within each round (the ways of a round run back to back), then their median: on a
// shared machine the load drifts between rounds far more than within one.
const ratio = (way: Way, base: Way) =>
  median(times[way].map((time, round) => time / (times[base][round] ?? Number.NaN)))
const of = (way: Way, base: Way) => (WAYS.includes(base) ? ` ×${ratio(way, base).toFixed(2)} of ${base}` : '')
console.log(
  `${files * tests} tests in ${files} files, ${runs} runs each, pool: ${pool}, isolate: ${isolate}, ` +
    `compile cache: ${values['no-compile-cache'] ? 'off' : 'on'}, load average (1 min) ${loads.join(' → ')}; median wall time of \`vitest run\`, median of per-round ratios:`,
)
for (const way of WAYS) {
  const m = median(times[way])
  const peer = way === 'pool' ? of('pool', 'pg') : way === 'db' ? of('db', 'slonik') : ''
  console.log(
    `  ${way.padEnd(9)} ${(m / 1000).toFixed(2)} s ${of(way, 'none')}${peer}   runs: ${times[way].map((t) => (t / 1000).toFixed(2)).join(', ')}`,
  )
}
// Where a file's time goes, per way: Vitest's own measures (a forked file's process start is in none).
console.log(
  'per test file, ms (medians over the rounds): setup files · collect (the import) · first test · the other tests',
)
for (const way of WAYS) {
  const at = (phase: keyof Phases) =>
    median(phases[way].map((round) => round[phase]))
      .toFixed(0)
      .padStart(4)
  console.log(`  ${way.padEnd(9)} ${at('setup')} · ${at('collect')} · ${at('first')} · ${at('rest')}`)
}
