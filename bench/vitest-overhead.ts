// Costs of dstaDb()'s own machinery, on a warm cache (the embedded cluster already initialised):
// our set-up before the first test, a clone per file, and the `db` fixture per test (alone, and
// as Vitest reports it). Run:
//   npm run bench -- bench/vitest-overhead.ts [--tests 1000]
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { cloneDatabase, connectAdmin, withAdminClient } from '../src/isolation/admin.js'
import { ClonePool, claimClone } from '../src/isolation/clones.js'
import { databaseUrl, workerCloneName } from '../src/isolation/names.js'
import { beginSuiteTransaction } from '../src/isolation/suite.js'
import { ensureTemplate } from '../src/isolation/template.js'
import { startPostgres } from '../src/server/index.js'
import { templateRecipe } from '../src/vitest/recipe.js'

const repo = fileURLToPath(new URL('../', import.meta.url))
const { values } = parseArgs({ options: { tests: { type: 'string', default: '1000' } } })
const tests = Number(values.tests)

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN
const ms = (x: number) => `${x.toFixed(2)} ms`
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now()
  const value = await fn()
  return [value, performance.now() - started]
}

// Warm the cache as an earlier run would have, the way the global setup does: the embedded cluster,
// and a snapshot of the server with the template built, named after the template's hash.
const snapshot = (await templateRecipe({}, repo)).hash.slice(0, 16)
const warm = await startPostgres({ snapshot })
if ((await ensureTemplate(warm.url, await templateRecipe({}, repo))).built)
  warm.saveSnapshotOnStop?.(snapshot)
await warm.stop()

// 1. Our set-up before the first test: server, template, the worker's clone, its connection and BEGIN.
const [server, startMs] = await timed(() => startPostgres({ snapshot }))
try {
  const [template, templateMs] = await timed(async () =>
    ensureTemplate(server.url, await templateRecipe({}, repo)),
  )
  if (template.built) throw new Error('the snapshot should hold the template: the warm start rebuilt it')
  const names = { runId: 'bench0', template: template.name }
  const [clones, cloneMs] = await timed(async () => {
    const pool = await ClonePool.start(server.url, { ...names, workers: 1, spares: 2, maxDatabases: 64 })
    await pool.settled()
    return pool
  })
  const [suite, firstFileMs] = await timed(async () =>
    beginSuiteTransaction(await connectAdmin(databaseUrl(server.url, workerCloneName(names, 1)))),
  )
  const total = startMs + templateMs + cloneMs / 3 + firstFileMs // one of the three clones is on the path
  console.log('Set-up before the first test (warm cache):')
  console.log(
    `  server start ${ms(startMs)} · template (hash + reuse) ${ms(templateMs)} · worker clone ${ms(cloneMs / 3)}`,
  )
  console.log(`  first file: connect + BEGIN ${ms(firstFileMs)} · total ${ms(total)}`)

  // 2. The db fixture per test: one round trip (the previous test's rollback + this test's savepoint).
  const perTest: number[] = []
  for (let i = 0; i < tests; i++) {
    const started = performance.now()
    await suite.beginTest()
    suite.endTest()
    perTest.push(performance.now() - started)
  }
  console.log(`db fixture, our SQL per test: median ${ms(median(perTest))} over ${tests} tests`)

  // 3. A clone per file: FILE_COPY from the template, and taking a ready spare.
  const cloneTimes: number[] = []
  const claimTimes: number[] = []
  await withAdminClient(server.url, async (client) => {
    for (let i = 0; i < 20; i++) {
      cloneTimes.push((await timed(() => cloneDatabase(client, `dsta_bench0_c${i}`, template.name)))[1])
      await clones.settled()
      claimTimes.push((await timed(() => claimClone(client, names, `dsta_bench0_f${i}`)))[1])
    }
  })
  console.log(
    `clone per file: CREATE DATABASE … FILE_COPY median ${ms(median(cloneTimes))}; ready spare taken in ${ms(median(claimTimes))}`,
  )
  await suite.end()
  await suite.client.end()
  await clones.close()
} finally {
  await server.stop()
}

// 4. The db fixture as Vitest sees it: tests with `db` against tests without, in one file each.
const dir = mkdtempSync(join(tmpdir(), 'dsta-bench-fixture-'))
try {
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'))
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  writeFileSync(
    join(dir, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config'\nimport { dstaDb } from '${repo}src/vitest/index.ts'\nexport default defineConfig({ plugins: [dstaDb()], test: { include: ['*.test.ts'] } })\n`,
  )
  const file = (withDb: boolean) =>
    `import { expect, test } from '${repo}src/vitest/index.ts'\n` +
    (withDb ? "test('warm', async ({ db }) => { expect(db).toBeTruthy() })\n" : '') +
    Array.from({ length: tests }, (_, i) =>
      withDb
        ? `test('t${i}', async ({ db }) => { expect(db).toBeTruthy() })`
        : `test('t${i}', async () => { expect(${i}).toBe(${i}) })`,
    ).join('\n')
  writeFileSync(join(dir, 'with-db.test.ts'), file(true))
  writeFileSync(join(dir, 'without.test.ts'), file(false))
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
    { cwd: dir, stdio: 'ignore' },
  )
  await new Promise((resolve) => child.once('exit', resolve))
  const result = JSON.parse(readFileSync(report, 'utf8')) as {
    testResults: { name: string; assertionResults: { title: string; duration: number }[] }[]
  }
  const durations = (name: string) =>
    result.testResults
      .find((f) => f.name.endsWith(name))
      ?.assertionResults.filter((t) => t.title !== 'warm')
      .map((t) => t.duration) ?? []
  const withDb = median(durations('with-db.test.ts'))
  const without = median(durations('without.test.ts'))
  console.log(
    `db fixture in Vitest: median test ${ms(withDb)} with db, ${ms(without)} without: +${ms(withDb - without)} per test`,
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
