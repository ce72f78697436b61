// What noticing a test that ended its file's transaction costs per test (issue 11): the suite as
// it is now (SuiteTransaction with its two listeners on the server's replies) against the suite
// as it was before the check (commit 5c83182, taken from git), in alternating rounds on one
// server, one connection each, the same SQL per test. Wall time swings with the machine's load;
// this process's CPU time per test (process.cpuUsage) is what the JavaScript costs.
// Run:
//   npm run bench -- bench/suite-ended.ts [--tests 2000] [--rounds 11]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { connectAdmin, withAdminClient } from '../src/isolation/admin.js'
import { ensureClone } from '../src/isolation/clones.js'
import { databaseUrl } from '../src/isolation/names.js'
import { beginSuiteTransaction } from '../src/isolation/suite.js'
import { ensureTemplate } from '../src/isolation/template.js'
import { startPostgres } from '../src/server/index.js'
import { templateRecipe } from '../src/vitest/recipe.js'

const BEFORE = '5c83182' // the last commit before the check
const repo = fileURLToPath(new URL('../', import.meta.url))
const { values } = parseArgs({
  options: { tests: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '11' } },
})
const tests = Number(values.tests)
const rounds = Number(values.rounds)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN
const TEST_QUERY = 'SELECT count(*) FROM candlesticks' // the test's own query

interface Suite {
  beginTest(): Promise<void>
  endTest(name?: string): void
  end(): Promise<void>
}

// The suite before the check, from git, its one relative import pointed back at this checkout.
const dir = mkdtempSync(join(tmpdir(), 'dsta-bench-ended-'))
const source = execFileSync('git', ['show', `${BEFORE}:src/isolation/suite.ts`], {
  cwd: repo,
  encoding: 'utf8',
})
writeFileSync(
  join(dir, 'suite-before.ts'),
  source.replace("from './sequences.js'", `from '${join(repo, 'src/isolation/sequences.ts')}'`),
)
const before = (await import(join(dir, 'suite-before.ts'))) as {
  beginSuiteTransaction: typeof beginSuiteTransaction
}

const server = await startPostgres({ provider: 'embedded' })
try {
  const template = (await ensureTemplate(server.url, await templateRecipe({}, '/'))).name
  const open = async (name: string) => {
    await withAdminClient(server.url, (admin) => ensureClone(admin, name, template))
    const client = await connectAdmin(databaseUrl(server.url, name))
    return { client, name }
  }
  const ways = {
    now: await open('dsta_bench_ended_now').then(async ({ client }) => ({
      client,
      suite: (await beginSuiteTransaction(client)) as Suite,
    })),
    before: await open('dsta_bench_ended_before').then(async ({ client }) => ({
      client,
      suite: (await before.beginSuiteTransaction(client)) as unknown as Suite,
    })),
  }
  const wall = { now: [] as number[], before: [] as number[] }
  const cpu = { now: [] as number[], before: [] as number[] }
  for (let round = 0; round < rounds; round++) {
    for (const way of round % 2 ? (['before', 'now'] as const) : (['now', 'before'] as const)) {
      const { client, suite } = ways[way]
      const started = performance.now()
      const cpuStart = process.cpuUsage()
      for (let i = 0; i < tests; i++) {
        await suite.beginTest()
        await client.query(TEST_QUERY)
        suite.endTest('bench')
      }
      const used = process.cpuUsage(cpuStart)
      wall[way].push(((performance.now() - started) / tests) * 1000)
      cpu[way].push((used.user + used.system) / tests)
    }
  }
  const line = (what: string, m: { now: number[]; before: number[] }) => {
    const [n, b] = [median(m.now), median(m.before)]
    return `  ${what}: with the check ${n.toFixed(1)} µs · before it ${b.toFixed(1)} µs · difference ${(n - b).toFixed(1)} µs (${((n / b - 1) * 100).toFixed(1)} %)`
  }
  console.log(`${tests} tests × ${rounds} rounds, one query each; per test, median of the rounds:`)
  console.log(line('CPU of this process', cpu))
  console.log(line('wall', wall))
  for (const { client, suite } of Object.values(ways)) {
    await suite.end()
    await client.end()
  }
} finally {
  await server.stop()
  rmSync(dir, { recursive: true, force: true })
}
