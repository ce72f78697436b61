// Timings of the migration runner on the embedded server: apply the DSTA schema to an empty
// database, a run with nothing to do, a status read, and 8 runners at once on one database.
// Run: npm run bench -- bench/migrate.ts
import pg from 'pg'
import { migrate, migrationStatus } from '../src/migrate/index.js'
import { startPostgres } from '../src/server/index.js'

const ROUNDS = 7
const server = await startPostgres()
const admin = new pg.Client(server.url)
await admin.connect()
let count = 0
async function freshDatabase(): Promise<string> {
  const name = `bench_${++count}`
  await admin.query(`CREATE DATABASE ${name} STRATEGY FILE_COPY`)
  return server.url.replace(/\/postgres$/, `/${name}`)
}

async function time(
  label: string,
  run: (url: string) => Promise<unknown>,
  prepare = freshDatabase,
): Promise<void> {
  const samples: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const url = await prepare()
    const started = performance.now()
    await run(url)
    samples.push(performance.now() - started)
  }
  samples.sort((a, b) => a - b)
  const median = samples[Math.floor(samples.length / 2)] ?? 0
  console.log(
    `${label.padEnd(44)} median ${median.toFixed(1)} ms  (min ${samples[0]?.toFixed(1)}, max ${samples.at(-1)?.toFixed(1)})`,
  )
}

async function migrated(): Promise<string> {
  const url = await freshDatabase()
  await migrate(url)
  return url
}

try {
  await time('migrate: DSTA schema on an empty database', (url) => migrate(url))
  await time('migrate: nothing pending', (url) => migrate(url), migrated)
  await time('migrationStatus (Slonik)', (url) => migrationStatus(url), migrated)
  await time('8 migrators at once, empty database', (url) =>
    Promise.all(Array.from({ length: 8 }, () => migrate(url))),
  )
} finally {
  await admin.end()
  await server.stop()
}
