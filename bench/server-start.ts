// Start time of the embedded provider, side by side in one run: cold (no cached cluster, so initdb
// runs) against cached (a copy of the cluster initdb made once). Medians; the machine is noisy.
// Run: npm run bench -- bench/server-start.ts
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import { defaultBaseDir, startEmbedded } from '../src/server/index.js'

const ROUNDS = Number(process.env.ROUNDS ?? 7)
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

async function measure(baseDirFor: () => Promise<string>) {
  const start: number[] = []
  const firstQuery: number[] = []
  const stop: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const baseDir = await baseDirFor()
    const t0 = performance.now()
    const server = await startEmbedded({ baseDir })
    start.push(performance.now() - t0)
    const client = new pg.Client(server.url)
    await client.connect()
    await client.query('SELECT 1')
    firstQuery.push(performance.now() - t0)
    await client.end()
    const t1 = performance.now()
    await server.stop()
    stop.push(performance.now() - t1)
  }
  return { start: median(start), firstQuery: median(firstQuery), stop: median(stop) }
}

const scratch: string[] = []
const cold = await measure(async () => {
  const dir = await mkdtemp(join(defaultBaseDir(), '..', 'dsta-bench-'))
  scratch.push(dir)
  return dir
})
const cached = await measure(async () => defaultBaseDir())
await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })))

console.log(`embedded PostgreSQL start, median of ${ROUNDS}, base folder ${defaultBaseDir()}`)
console.log('| case | start → ready (ms) | start → first query (ms) | stop (ms) |')
console.log('|---|---|---|---|')
for (const [name, r] of [
  ['cold (initdb + copy + start)', cold],
  ['cached (copy + start)', cached],
] as const)
  console.log(`| ${name} | ${r.start.toFixed(0)} | ${r.firstQuery.toFixed(0)} | ${r.stop.toFixed(0)} |`)
console.log(`cached start is ${(cold.start / cached.start).toFixed(1)}× faster than cold`)
