// The fault matrix: kills `vitest run`, `dsta-db up`, `generate`, `migrate` and `load` at seeded
// random moments (SIGKILL of the process group, SIGKILL of the main process alone, Ctrl-C), then
// checks that the next start leaves no server, data folder, System V segment or database of the
// killed runs, that the next run passes, that no committed row was lost, and that nothing not ours
// (a bystander server, its databases, a foreign segment, a live run's folder) was touched.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import seedrandom from 'seedrandom'
import { type StartedPostgres, startEmbedded } from '../../src/server/index.js'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const node = join(repo, 'node_modules/.bin/node')
const cli = join(repo, 'dist/cli/main.js')
const vitest = join(repo, 'node_modules/vitest/vitest.mjs')

export const TARGETS = ['vitest', 'up', 'generate', 'migrate', 'load'] as const
export const KINDS = ['SIGKILL group', 'SIGKILL main', 'Ctrl-C'] as const
type Target = (typeof TARGETS)[number]
type Kind = (typeof KINDS)[number]

/**
 * Latest kill moment per target (ms after spawn). The CLI commands' are measured at the start (a
 * clean run each), so that faults land inside them on a fast machine and a slow one alike; `up`
 * serves until stopped, and a `vitest run` of the sample project takes about this long.
 */
const MAX_DELAY: Record<Target, number> = { vitest: 10_000, up: 4000, generate: 0, migrate: 0, load: 0 }

export interface Figures {
  rounds: number
  faultsInjected: number
  byKind: Record<string, number>
  finishedBeforeFault: number
  orphansLeft: string[]
  rowsLost: number
  partialWrites: string[]
  nextRunFailures: string[]
  bystandersTouched: string[]
  secretsPrinted: number
  /** Per command: faults land at a seeded moment in [0, this] ms after its start. */
  killWindows: Record<string, number>
}

interface Matrix {
  baseDir: string
  server: StartedPostgres
  bystanderSegment: number
  output: string[]
  /** Candlesticks a whole `generate` run of the matrix makes (a killed one makes these or none). */
  generated: number
}

const GENERATE = ['generate', '--days', '1', '--symbols', 'BTCUSDT', '--quiet']
const BASELINE = 100 // market_metrics rows committed before every CLI fault: none may be lost

export async function runMatrix({ rounds, seed = 11 }: { rounds: number; seed?: number }): Promise<Figures> {
  const random = seedrandom(`dsta-faults-${seed}`)
  const figures: Figures = {
    rounds,
    faultsInjected: 0,
    byKind: {},
    finishedBeforeFault: 0,
    orphansLeft: [],
    rowsLost: 0,
    partialWrites: [],
    nextRunFailures: [],
    bystandersTouched: [],
    secretsPrinted: 0,
    killWindows: MAX_DELAY,
  }
  // Runs under test use their own cache folder; the "external" server lives in another one.
  const baseDir = await mkdtemp('/dev/shm/dsta-faults-')
  const serverDir = await mkdtemp('/dev/shm/dsta-faults-server-')
  const server = await startEmbedded({ baseDir: serverDir })
  const bystanderSegment = Number(
    /(\d+)/.exec(execFileSync('ipcmk', ['-M', '4096'], { encoding: 'utf8' }))?.[1],
  )
  const liveFolder = join(baseDir, `run-${process.pid}-bystander`)
  mkdirSync(join(liveFolder, 'data'), { recursive: true })
  writeFileSync(
    join(liveFolder, 'data/postmaster.pid'),
    `${process.pid}\n\n\n\n\n\n  0 ${bystanderSegment}\n`,
  )
  const matrix: Matrix = { baseDir, server, bystanderSegment, output: [], generated: -1 }
  try {
    await admin(server.url, 'CREATE DATABASE someone_elses_db')
    await admin(server.url, 'CREATE DATABASE faults_base')
    MAX_DELAY.migrate = await timed(() =>
      expectOk(matrix, [cli, 'migrate', '--database-url', dbUrl(server.url, 'faults_base')]),
    )
    await admin(
      dbUrl(server.url, 'faults_base'),
      `INSERT INTO market_metrics (metric_type, "timestamp", value)
       SELECT 'other', timestamp '2020-01-01' + n * interval '1 minute', n FROM generate_series(1, ${BASELINE}) n`,
    )
    await admin(server.url, 'ALTER DATABASE faults_base WITH IS_TEMPLATE true')
    await admin(server.url, 'CREATE DATABASE faults_calibrate TEMPLATE faults_base')
    const calibrate = dbUrl(server.url, 'faults_calibrate')
    MAX_DELAY.generate = await timed(() => expectOk(matrix, [cli, ...GENERATE, '--database-url', calibrate]))
    matrix.generated = (await admin(calibrate, 'SELECT count(*)::int AS n FROM candlesticks'))[0]?.n
    await admin(server.url, 'CREATE DATABASE faults_calibrate_load TEMPLATE faults_base')
    const loadUrl = dbUrl(server.url, 'faults_calibrate_load')
    MAX_DELAY.load = await timed(() =>
      expectOk(matrix, [cli, 'load', join(repo, 'fixtures/sample_data.json'), '--database-url', loadUrl]),
    )
    for (let round = 1; round <= rounds; round++) {
      for (const target of TARGETS) {
        const kind = KINDS[Math.floor(random() * KINDS.length)] as Kind
        const delay = Math.floor(random() * MAX_DELAY[target])
        await oneFault(matrix, figures, { round, target, kind, delay })
      }
    }
    figures.orphansLeft.push(...(await bystanderCheck(matrix, figures)))
  } finally {
    await server.stop()
    execFileSync('ipcrm', ['-m', String(bystanderSegment)])
    const passwords = [server.url, ...clusterPasswords(baseDir)].map((secret) =>
      secret.startsWith('postgresql:') ? decodeURIComponent(new URL(secret).password) : secret,
    )
    figures.secretsPrinted = matrix.output.filter((text) =>
      passwords.some((p) => p && text.includes(p)),
    ).length
    await rm(baseDir, { recursive: true, force: true })
    await rm(serverDir, { recursive: true, force: true })
  }
  return figures
}

async function oneFault(
  matrix: Matrix,
  figures: Figures,
  { round, target, kind, delay }: { round: number; target: Target; kind: Kind; delay: number },
) {
  const name = `r${round}_${target}`
  const label = `round ${round} ${target} (${kind} at ${delay} ms)`
  const database = `faults_${name}`
  const url = dbUrl(matrix.server.url, database)
  if (target !== 'vitest' && target !== 'up')
    await admin(
      matrix.server.url,
      target === 'migrate'
        ? `CREATE DATABASE ${database}`
        : `CREATE DATABASE ${database} TEMPLATE faults_base`,
    )
  if (target === 'migrate')
    await admin(url, `CREATE TABLE bystander AS SELECT n FROM generate_series(1, ${BASELINE}) n`)
  const external = target === 'vitest' && round % 2 === 0
  const args = {
    vitest: [vitest, 'run', '--root', join(repo, 'test/fixtures-vitest/shared')],
    up: [cli, 'up'],
    generate: [cli, ...GENERATE, '--database-url', url],
    migrate: [cli, 'migrate', '--database-url', url],
    load: [cli, 'load', join(repo, 'fixtures/sample_data.json'), '--database-url', url],
  }[target]
  const env = external ? { DATABASE_URL: matrix.server.url } : {}
  const before = target === 'vitest' ? await runDatabases(matrix.server.url) : []

  const posixBefore = posixSegments()
  const child = start(matrix, args, env)
  const seen = watchRunFolders(matrix.baseDir)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const finished = await Promise.race([exited.then(() => true), sleep(delay).then(() => false)])
  if (finished) figures.finishedBeforeFault++
  else {
    figures.faultsInjected++
    figures.byKind[kind] = (figures.byKind[kind] ?? 0) + 1
    const pid = child.pid as number
    if (kind === 'SIGKILL group') process.kill(-pid, 'SIGKILL')
    else if (kind === 'SIGKILL main') process.kill(pid, 'SIGKILL')
    else process.kill(-pid, 'SIGINT') // a terminal's Ctrl-C goes to the foreground group
    await Promise.race([exited, sleep(60_000)])
    if (child.exitCode === null && child.signalCode === null) {
      figures.nextRunFailures.push(`${label}: still running 60 s after the fault`)
      process.kill(-pid, 'SIGKILL')
    }
  }
  const recorded = seen.stop()

  // The next start: the same command, to its end (a vitest run passes; a CLI command migrates and verifies).
  const next =
    target === 'vitest'
      ? await expectOk(matrix, args, env)
      : target === 'up'
        ? await expectOk(matrix, [cli, 'up', '--demo'])
        : (await expectOk(matrix, [cli, 'migrate', '--database-url', url])) &&
          (await expectOk(matrix, [cli, 'verify', '--database-url', url]))
  if (!next) figures.nextRunFailures.push(`${label}: the next run failed`)

  figures.orphansLeft.push(...leftovers(matrix, recorded, label, child.pid as number, posixBefore))
  if (target === 'vitest') {
    const left = (await runDatabases(matrix.server.url)).filter((db) => !before.includes(db))
    figures.orphansLeft.push(...left.map((db) => `${label}: database ${db}`))
  } else if (target !== 'up') {
    const [row] = await admin(
      url,
      target === 'migrate'
        ? 'SELECT count(*)::int AS kept, 0 AS added FROM bystander'
        : `SELECT (SELECT count(*)::int FROM market_metrics WHERE metric_type = 'other' AND "timestamp" < '2021-01-01') AS kept,
                  (SELECT count(*)::int FROM candlesticks) AS added`,
    )
    figures.rowsLost += BASELINE - (row?.kept ?? 0)
    // All or nothing: the sample data's 2 candlesticks, or a whole day generated.
    const whole = target === 'load' ? [0, 2] : target === 'generate' ? [0, matrix.generated] : [0]
    if (!whole.includes(row?.added)) figures.partialWrites.push(`${label}: ${row?.added} candlesticks`)
    await admin(matrix.server.url, `DROP DATABASE ${database} WITH (FORCE)`)
  }
}

/** Starts a command in its own process group, its output kept for the secrets check. */
function start(matrix: Matrix, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    DSTA_DB_TMPDIR: matrix.baseDir,
    NO_COLOR: '1',
  }
  for (const key of Object.keys(childEnv))
    if (
      key.startsWith('VITEST') ||
      key === 'TINYPOOL_WORKER_ID' ||
      (key === 'DATABASE_URL' && !env.DATABASE_URL)
    )
      delete childEnv[key]
  const child = spawn(node, args, {
    cwd: repo,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let text = ''
  child.stdout?.on('data', (chunk) => (text += chunk))
  child.stderr?.on('data', (chunk) => (text += chunk))
  child.once('close', () => matrix.output.push(text))
  return child
}

/** Runs a command to its end; true when it exits 0 (its output is kept either way). */
async function expectOk(matrix: Matrix, args: string[], env: NodeJS.ProcessEnv = {}): Promise<boolean> {
  const child = start(matrix, args, env)
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  if (code !== 0)
    console.error(`faults: ${args.slice(1, 3).join(' ')} exited ${code}:\n${matrix.output.at(-1)}`)
  return code === 0
}

interface Recorded {
  folders: Set<string>
  postmasters: Map<string, { pid: number; segment: number }>
}

/** Notes every run folder and postmaster the command makes while it runs (their pids and segments). */
function watchRunFolders(baseDir: string): Recorded & { stop(): Recorded } {
  const recorded: Recorded = { folders: new Set(), postmasters: new Map() }
  const look = () => {
    for (const entry of readdirSync(baseDir).filter((name) => /^(run|building)-\d+-/.test(name))) {
      if (entry.startsWith(`run-${process.pid}-`)) continue
      recorded.folders.add(entry)
      try {
        const lines = readFileSync(join(baseDir, entry, 'data/postmaster.pid'), 'utf8').split('\n')
        const segment = Number((lines[6] ?? '').trim().split(/\s+/)[1])
        if (lines[0] && segment) recorded.postmasters.set(entry, { pid: Number(lines[0]), segment })
      } catch {
        // not started yet, or gone
      }
    }
  }
  const timer = setInterval(look, 25)
  return {
    ...recorded,
    stop: () => {
      look()
      clearInterval(timer)
      return recorded
    },
  }
}

/** What the killed command left after the next start: processes, folders, segments. */
function leftovers(
  matrix: Matrix,
  recorded: Recorded,
  label: string,
  pid: number,
  posixBefore: Set<string>,
): string[] {
  const left: string[] = []
  for (const folder of recorded.folders)
    if (existsSync(join(matrix.baseDir, folder))) left.push(`${label}: folder ${folder}`)
  for (const [folder, postmaster] of recorded.postmasters) {
    if (isAlive(postmaster.pid))
      left.push(`${label}: postgres ${postmaster.pid} of ${folder} (${describeProcess(postmaster.pid)})`)
    if (segments().has(postmaster.segment)) left.push(`${label}: System V segment ${postmaster.segment}`)
  }
  for (const proc of processesOfGroup(pid)) left.push(`${label}: process ${proc} of the killed group`)
  // Ours use mmap for dynamic shared memory: none should appear. (Other servers' may exist already.)
  const fresh = [...posixSegments()].filter((entry) => !posixBefore.has(entry))
  const mapped = fresh.length > 0 ? mappedFiles() : ''
  for (const entry of fresh)
    if (!mapped.includes(entry)) left.push(`${label}: /dev/shm/${entry} (no process has it)`)
  return left
}

async function bystanderCheck(matrix: Matrix, figures: Figures): Promise<string[]> {
  const touched = figures.bystandersTouched
  if (!segments().has(matrix.bystanderSegment)) touched.push('the foreign System V segment')
  if (!existsSync(join(matrix.baseDir, `run-${process.pid}-bystander`))) touched.push("a live run's folder")
  const names = (await admin(matrix.server.url, 'SELECT datname FROM pg_database')).map((row) => row.datname)
  if (!names.includes('someone_elses_db')) touched.push('the database someone_elses_db')
  const left = readdirSync(matrix.baseDir).filter(
    (name) => /^(run|building)-/.test(name) && !name.startsWith(`run-${process.pid}-`),
  )
  return left.map((name) => `at the end: ${name}`)
}

/** Every process's memory maps, as one text (to tell a live server's segment from a leaked one). */
function mappedFiles(): string {
  let text = ''
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name)))
    try {
      text += readFileSync(`/proc/${entry}/maps`, 'utf8')
    } catch {
      // gone, or not ours to read
    }
  return text
}

function posixSegments(): Set<string> {
  return new Set(readdirSync('/dev/shm').filter((name) => name.startsWith('PostgreSQL.')))
}

function segments(): Set<number> {
  const table = readFileSync('/proc/sysvipc/shm', 'utf8').split('\n').slice(1)
  return new Set(table.map((line) => Number(line.trim().split(/\s+/)[1])).filter(Boolean))
}

/** A process as /proc shows it (state, parent, command line): what the orphan message prints. */
function describeProcess(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
    return `state ${state}, parent ${ppid}, ${args.slice(0, 160) || stat.slice(0, stat.lastIndexOf(')') + 1)}`
  } catch {
    return 'gone by now'
  }
}

function processesOfGroup(pgid: number): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') found.push(Number(entry))
    } catch {
      // gone
    }
  }
  return found
}

function clusterPasswords(baseDir: string): string[] {
  return readdirSync(baseDir)
    .filter((name) => /^cluster-[\d.]+-[0-9a-f]{12}$/.test(name))
    .map((name) => {
      try {
        return readFileSync(join(baseDir, name, 'dsta-db.password'), 'utf8').trim()
      } catch {
        return ''
      }
    })
    .filter(Boolean)
}

async function runDatabases(serverUrl: string): Promise<string[]> {
  const rows = await admin(
    serverUrl,
    "SELECT datname FROM pg_database WHERE datname ~ '^dsta_[0-9a-f]{6}_[wsf]'",
  )
  return rows.map((row) => row.datname)
}

// biome-ignore lint/suspicious/noExplicitAny: rows of ad-hoc queries
type Row = Record<string, any>

async function admin(url: string, text: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text)).rows
  } finally {
    await client.end()
  }
}

function dbUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/**
 * Whether `pid` still runs. A zombie does not: a killed run's postmaster, once dead, waits for its
 * new parent (init, as its own parent was killed) to collect it, and a slow init takes seconds —
 * `kill(pid, 0)` alone counted those as servers left running (the "up orphans" of issue 11).
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return false
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** How long `step` took, in ms (it must succeed: it calibrates the kill moments). */
async function timed(step: () => Promise<boolean>): Promise<number> {
  const start = performance.now()
  if (!(await step())) throw new Error('faults: a calibration run failed')
  return Math.round(performance.now() - start)
}

/** The figures, as the matrix prints them. */
export function describeFigures(figures: Figures): string {
  const kinds = Object.entries(figures.byKind)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ')
  return [
    `fault matrix: ${figures.rounds} round(s) × ${TARGETS.length} commands (${TARGETS.join(', ')})`,
    `  faults injected: ${figures.faultsInjected} (${kinds}); finished before their fault: ${figures.finishedBeforeFault}`,
    `  kill moments within (ms after start): ${Object.entries(figures.killWindows)
      .map(([target, ms]) => `${target} ${ms}`)
      .join(', ')}`,
    `  orphans left: ${figures.orphansLeft.length}${figures.orphansLeft.length ? ` (${figures.orphansLeft.join('; ')})` : ''}`,
    `  rows lost: ${figures.rowsLost}; partial writes: ${figures.partialWrites.length}`,
    `  next runs failed: ${figures.nextRunFailures.length}; bystanders touched: ${figures.bystandersTouched.length}; secrets printed: ${figures.secretsPrinted}`,
  ].join('\n')
}
