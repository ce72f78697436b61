// Benchmark of issue 3: 1 000 small tests in 20 files, run three ways in one go: with dstaDb(), with
// a TRUNCATE before each test (the usual hand-written set-up), and with no database (Vitest's floor).
// Run:
//   npm run bench -- bench/suite.ts [--runs 3] [--files 20] [--tests 50] [--no-isolate]
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
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
    // Vitest's isolate: false (workers reuse their modules across files) for all three ways.
    'no-isolate': { type: 'boolean', default: false },
  },
})
const isolate = !values['no-isolate']
const runs = Number(values.runs)
const files = Number(values.files)
const tests = Number(values.tests)

type Way = 'dstaDb' | 'truncate' | 'none'
const WAYS: Way[] = ['none', 'dstaDb', 'truncate']

const INSERT = `INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price,
  low_price, close_price, volume, quote_volume) VALUES ('binance', 'BENCH', '1h', now(), 1, 1, 1, 1, 1, 1)`

function config(way: Way): string {
  const pool = `pool: 'forks', isolate: ${isolate}`
  if (way === 'dstaDb')
    return `import { defineConfig } from 'vitest/config'
import { dstaDb } from '${repo}src/vitest/index.ts'
export default defineConfig({ plugins: [dstaDb()], test: { include: ['*.test.ts'], ${pool} } })\n`
  if (way === 'truncate')
    return `import { defineConfig } from 'vitest/config'
export default defineConfig({ test: { include: ['*.test.ts'], globalSetup: ['./truncate-setup.ts'], ${pool} } })\n`
  return `import { defineConfig } from 'vitest/config'
export default defineConfig({ test: { include: ['*.test.ts'], ${pool} } })\n`
}

// The hand-written baseline: one server and one migrated database for the run, a pool per file,
// TRUNCATE of the four tables before each test.
const TRUNCATE_SETUP = `import { startPostgres } from '${repo}src/server/index.ts'
import { migrate } from '${repo}src/migrate/index.ts'
export default async function setup(project) {
  const server = await startPostgres()
  await migrate(server.url)
  project.provide('benchUrl', server.url)
  return () => server.stop()
}\n`

function testFile(way: Way, index: number): string {
  const body = (i: number) =>
    way === 'none'
      ? `test('t${i}', () => { expect(${i} + 1).toBe(${i + 1}) })`
      : `test('t${i}', async ({ db }) => {
  await db.query(sql.unsafe\`${INSERT}\`)
  expect(await db.oneFirst(sql.unsafe\`SELECT count(*)::int FROM candlesticks\`)).toBe(1)
})`
  const cases = Array.from({ length: tests }, (_, i) => body(i)).join('\n')
  if (way === 'none') return `import { expect, test } from 'vitest'\n// file ${index}\n${cases}\n`
  if (way === 'dstaDb')
    return `import { sql } from 'slonik'\nimport { expect, test } from '${repo}src/vitest/index.ts'\n${cases}\n`
  return `import { sql } from 'slonik'
import { afterAll, beforeEach, expect, inject, test as base } from 'vitest'
import { createDstaPool } from '${repo}src/schema/index.ts'
const pool = await createDstaPool(inject('benchUrl'))
afterAll(() => pool.end())
beforeEach(async () => { await pool.query(sql.unsafe\`TRUNCATE candlesticks, trades, order_books, market_metrics\`) })
const test = base.extend({ db: async ({}, use) => use(pool) })
${cases}\n`
}

function makeProject(way: Way): string {
  const dir = mkdtempSync(join(tmpdir(), `dsta-bench-${way}-`))
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'))
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  writeFileSync(join(dir, 'vitest.config.ts'), config(way))
  if (way === 'truncate') writeFileSync(join(dir, 'truncate-setup.ts'), TRUNCATE_SETUP)
  for (let i = 0; i < files; i++)
    writeFileSync(join(dir, `f${String(i).padStart(2, '0')}.test.ts`), testFile(way, i))
  return dir
}

async function runVitest(dir: string): Promise<number> {
  const started = performance.now()
  const report = join(dir, 'report.json')
  const child = spawn(
    join(repo, 'node_modules/.bin/node'),
    [
      join(repo, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--root',
      dir,
      '--reporter=json',
      `--outputFile=${report}`,
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  )
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  const elapsed = performance.now() - started
  const result = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numTotalTests: number }
  if (code !== 0 || result.numPassedTests !== files * tests)
    throw new Error(
      `run in ${dir} failed (${code}): ${result.numPassedTests}/${result.numTotalTests}\n${stderr}`,
    )
  return elapsed
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

const projects = Object.fromEntries(WAYS.map((way) => [way, makeProject(way)])) as Record<Way, string>
const times: Record<Way, number[]> = { none: [], dstaDb: [], truncate: [] }
try {
  await runVitest(projects.none) // warm-up: Vite's caches, the embedded cluster cache, the OS page cache
  await runVitest(projects.dstaDb)
  for (let run = 0; run < runs; run++) {
    for (const way of WAYS) times[way].push(await runVitest(projects[way])) // interleaved: load drifts hit all alike
  }
} finally {
  for (const dir of Object.values(projects)) rmSync(dir, { recursive: true, force: true })
}

const floor = median(times.none)
console.log(
  `${files * tests} tests in ${files} files, ${runs} runs each, isolate: ${isolate}, median wall time of \`vitest run\`:`,
)
for (const way of WAYS) {
  const m = median(times[way])
  console.log(
    `  ${way.padEnd(9)} ${(m / 1000).toFixed(2)} s  ×${(m / floor).toFixed(2)} of the floor   runs: ${times[way].map((t) => (t / 1000).toFixed(2)).join(', ')}`,
  )
}
