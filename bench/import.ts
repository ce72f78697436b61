// What a user pays to load dsta-db, side by side in one run with `import('slonik')` as the yardstick:
// the API (`import('dsta-db')`), the config-time import of `dsta-db/vitest`, `dsta-db --help`, and the
// worker-side `dsta-db/vitest` (a test file). Fresh processes from the built package (run `npm run build`
// first); medians of ROUNDS, interleaved so that noise falls on every row alike; module counts from a
// separate run with a counting hook. Run: npm run bench -- bench/import.ts
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROUNDS = Number(process.env.ROUNDS ?? 11)
const root = fileURLToPath(new URL('..', import.meta.url))
const node = process.execPath
const counter = fileURLToPath(new URL('./support/count-modules.mjs', import.meta.url))

const timeImport = (specifier: string) =>
  `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t)`

const cases: { name: string; args: string[] }[] = [
  { name: "import('slonik') (yardstick)", args: ['--input-type=module', '-e', timeImport('slonik')] },
  { name: "import('dsta-db')", args: ['--input-type=module', '-e', timeImport('dsta-db')] },
  {
    name: "import('dsta-db/vitest') in vitest.config.ts",
    args: ['--input-type=module', '-e', timeImport('dsta-db/vitest')],
  },
  { name: 'dsta-db --help', args: ['dist/cli/main.js', '--help'] },
]

function run(args: string[], extra: string[] = []) {
  const t = performance.now()
  const child = spawnSync(node, [...extra, ...args], { cwd: root, encoding: 'utf8' })
  if (child.status !== 0) throw new Error(`${args.join(' ')} failed:\n${child.stderr}`)
  return { wall: performance.now() - t, stdout: child.stdout, stderr: child.stderr }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
const times = cases.map(() => ({ load: [] as number[], wall: [] as number[] }))
for (let round = 0; round < ROUNDS; round++)
  cases.forEach((c, i) => {
    const result = run(c.args)
    times[i]?.wall.push(result.wall)
    const load = Number.parseFloat(result.stdout)
    if (Number.isFinite(load)) times[i]?.load.push(load)
  })

const yardstick = median(times[0]?.wall ?? [])
console.log(`Node ${process.version}, ${ROUNDS} rounds, medians; wall = whole process (node start included)`)
console.log('| what | import (ms) | wall (ms) | × slonik wall | modules | heavy packages loaded |')
console.log('|---|---|---|---|---|---|')
cases.forEach((c, i) => {
  const { stderr } = run(c.args, ['--import', counter])
  const [, modules = '?', heavy = '?'] = /modules=(\d+) heavy=(\S+)/.exec(stderr) ?? []
  const t = times[i] as { load: number[]; wall: number[] }
  const load = t.load.length ? median(t.load).toFixed(0) : '—'
  const wall = median(t.wall)
  console.log(
    `| ${c.name} | ${load} | ${wall.toFixed(0)} | ${(wall / yardstick).toFixed(2)} | ${modules} | ${heavy} |`,
  )
})
