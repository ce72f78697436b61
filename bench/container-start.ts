// A run's set-up on each provider, side by side in one run: cold (initdb, then the migrations build
// the template) against warm (the embedded snapshot / the container's committed image, named after
// the template's hash as the Vitest plugin names it: no initdb, no migration). Set-up = what the
// global setup waits for: loading Testcontainers (container only, timed in a fresh process: a run
// pays it once), server start to first query, template, the first worker's clone. Then whole
// `vitest run`s of a one-test project, warm, on each provider.
// Needs Docker and an image (DOCKER_HOST / DSTA_DB_IMAGE; .ci/docker.sh up prints both). Run:
//   npm run bench -- bench/container-start.ts          (ROUNDS=5 by default)
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { ClonePool } from '../src/isolation/clones.js'
import { ensureTemplate } from '../src/isolation/template.js'
import { containerImage, defaultBaseDir, type StartOptions, startPostgres } from '../src/server/index.js'
import { templateRecipe } from '../src/vitest/recipe.js'

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const repo = fileURLToPath(new URL('../', import.meta.url))
const recipe = await templateRecipe({}, repo)
const snapshot = recipe.hash.slice(0, 16) // as the global setup names it
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN

interface Round {
  load: number
  start: number
  template: number
  clone: number
  setUp: number
  stop: number
  warm: boolean
}

const node = join(repo, 'node_modules/.bin/node')
/** Loading `testcontainers` as a run does, once, in a fresh process. */
function loadTime(): number {
  const script =
    "const t = performance.now(); await import('testcontainers'); console.log(performance.now() - t)"
  return Number(execFileSync(node, ['--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8' }))
}

async function setUp(options: StartOptions, save: boolean): Promise<Round> {
  const load = options.provider === 'container' ? loadTime() : 0
  const t0 = performance.now()
  const server = await startPostgres(options)
  const client = new pg.Client(server.url)
  await client.connect()
  await client.query('SELECT 1')
  await client.end()
  const t1 = performance.now()
  const template = await ensureTemplate(server.url, recipe)
  const t2 = performance.now()
  const names = { runId: `bench${Math.round(t2)}`, template: template.name }
  const clones = await ClonePool.start(server.url, { ...names, workers: 1, spares: 0, maxDatabases: 4 })
  await clones.settled()
  const t3 = performance.now()
  await clones.close()
  if (save && template.built) server.saveSnapshotOnStop?.(snapshot)
  const t4 = performance.now()
  await server.stop()
  const stop = performance.now() - t4
  const warm = !template.built
  return { load, start: t1 - t0, template: t2 - t1, clone: t3 - t2, setUp: load + t3 - t0, stop, warm }
}

const image = containerImage(undefined)
const scratch: string[] = []
const cases: [string, () => Promise<Round>][] = [
  [
    'embedded, cold (initdb + migrations)',
    async () => {
      const baseDir = await mkdtemp(join(defaultBaseDir(), '..', 'dsta-bench-'))
      scratch.push(baseDir)
      return setUp({ provider: 'embedded', baseDir }, false)
    },
  ],
  ['embedded, warm (snapshot)', () => setUp({ provider: 'embedded', snapshot }, false)],
  ['container, cold (initdb + migrations)', () => setUp({ provider: 'container' }, false)],
  ['container, warm (committed image)', () => setUp({ provider: 'container', snapshot }, false)],
]

// The warm caches, as an earlier run leaves them.
await setUp({ provider: 'embedded', snapshot }, true)
await setUp({ provider: 'container', snapshot }, true)

// The engine's own share: create + start of a container of the same image that runs `true`.
const docker = (await (await import('testcontainers')).getContainerRuntimeClient()).container.dockerode
async function engineStart(): Promise<number> {
  const t0 = performance.now()
  const container = await docker.createContainer({ Image: image, Cmd: ['true'] })
  await container.start()
  const elapsed = performance.now() - t0
  await container.remove({ force: true })
  return elapsed
}
const engine: number[] = []

const results = new Map<string, Round[]>(cases.map(([name]) => [name, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of cases) results.get(name)?.push(await run())
  engine.push(await engineStart())
}
await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })))

// Whole runs: `vitest run` of test/fixtures-vitest/container (one test), warm (the first run of each
// provider saves its snapshot), wall time from spawn to exit.
function vitestRun(provider: string): number {
  const env: NodeJS.ProcessEnv = { ...process.env, DSTA_PROVIDER: provider }
  for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key]
  const t0 = performance.now()
  const args = [
    join(repo, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--root',
    'test/fixtures-vitest/container',
  ]
  const result = spawnSync(node, args, { cwd: repo, env, encoding: 'utf8' })
  if (result.status !== 0)
    throw new Error(`vitest run on ${provider} failed:\n${result.stdout}${result.stderr}`)
  return performance.now() - t0
}
const runs = new Map<string, number[]>([
  ['embedded', []],
  ['container', []],
])
for (const provider of runs.keys()) vitestRun(provider)
for (let round = 0; round < ROUNDS; round++)
  for (const [provider, times] of runs) times.push(vitestRun(provider))

const load = loadavg()[0]?.toFixed(1)
console.log(
  `Set-up of a run, median of ${ROUNDS} rounds side by side (${cpus().length} cores, load ${load});`,
)
console.log(`container image ${image}, Docker at ${process.env.DOCKER_HOST ?? 'its default socket'}`)
console.log(
  '| provider, case | load Testcontainers | server start → first query | template | first clone | set-up | stop |',
)
console.log('|---|---|---|---|---|---|---|')
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
for (const [name, rounds] of results) {
  if (rounds.some((r) => r.warm !== name.includes('warm')))
    throw new Error(`${name}: a round was not ${name}`)
  const m = (key: keyof Omit<Round, 'warm'>) => s(median(rounds.map((r) => r[key])))
  const row = [m('load'), m('start'), m('template'), m('clone'), `**${m('setUp')}**`, m('stop')]
  console.log(`| ${name} | ${row.join(' | ')} |`)
}
console.log(`Docker's own share: create + start of a container that runs \`true\`: ${s(median(engine))}`)
const [embedded, container] = [median(runs.get('embedded') ?? []), median(runs.get('container') ?? [])]
console.log(
  `\nA warm \`vitest run\` of a one-test project, spawn to exit, median of ${ROUNDS}: ` +
    `embedded ${s(embedded)}, container ${s(container)} (+${s(container - embedded)})`,
)
