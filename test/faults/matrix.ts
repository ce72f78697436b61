// The fault matrix: kills `vitest run`, `dsta-db up`, `generate`, `migrate` and `load` at seeded
// random moments (SIGKILL of the process group, SIGKILL of the main process alone, Ctrl-C), then
// checks that the next start leaves no server, data folder, System V segment or database of the
// killed runs, that the next run passes, that no committed row was lost, and that nothing not ours
// (a bystander server, its databases, a foreign segment, a live run's folder) was touched.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import seedrandom from 'seedrandom'
import { run as runCli } from '../../src/cli/program.js'
import { type StartedPostgres, startEmbedded } from '../../src/server/index.js'
import { emptyFigures, type Figures, type Kind, kindOf, type Target } from './figures.js'
import { clusterPasswords, leftovers, posixSegments, segments, watchRunFolders } from './leftovers.js'

export { describeFigures, type Figures } from './figures.js'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const node = join(repo, 'node_modules/.bin/node')
const cli = join(repo, 'dist/cli/main.js')
const vitest = join(repo, 'node_modules/vitest/vitest.mjs')

/**
 * Latest kill moment per target (ms after spawn). The CLI commands' are measured at the start (a
 * clean run each), so that faults land inside them on a fast machine and a slow one alike; `up`
 * serves until stopped, and a `vitest run` of the sample project takes about this long.
 */
const MAX_DELAY: Record<Target, number> = { vitest: 10_000, up: 4000, generate: 0, migrate: 0, load: 0 }

interface Matrix {
  baseDir: string
  server: StartedPostgres
  bystanderSegment: number
  output: string[]
  /** Candlesticks a whole `generate` run of the matrix makes (a killed one makes these or none). */
  generated: number
  /** The first error line of the last run that failed. */
  lastFailure?: string
}

const GENERATE = ['generate', '--days', '1', '--symbols', 'BTCUSDT', '--quiet']
const BASELINE = 100 // market_metrics rows committed before every CLI fault: none may be lost

/**
 * Two lanes run side by side, each on its own cache folder: `vitest run` alone, and the four CLI
 * commands; each lane's half of a round costs about the same (a sequential round cost 29 s at load 9).
 */
const LANES: Target[][] = [['vitest'], ['up', 'generate', 'migrate', 'load']]

export async function runMatrix({ rounds, seed = 11 }: { rounds: number; seed?: number }): Promise<Figures> {
  const began = performance.now()
  const figures = emptyFigures(rounds, MAX_DELAY)
  // Runs under test use their lane's cache folder; the "external" server lives in another one.
  const laneDirs = await Promise.all(LANES.map(() => mkdtemp('/dev/shm/dsta-faults-')))
  const serverDir = await mkdtemp('/dev/shm/dsta-faults-server-')
  const server = await startEmbedded({ baseDir: serverDir })
  const bystanderSegment = Number(
    /(\d+)/.exec(execFileSync('ipcmk', ['-M', '4096'], { encoding: 'utf8' }))?.[1],
  )
  for (const dir of laneDirs) {
    const liveFolder = join(dir, `run-${process.pid}-bystander`)
    mkdirSync(join(liveFolder, 'data'), { recursive: true })
    writeFileSync(
      join(liveFolder, 'data/postmaster.pid'),
      `${process.pid}\n\n\n\n\n\n  0 ${bystanderSegment}\n`,
    )
  }
  const matrix: Matrix = {
    baseDir: laneDirs[1] as string,
    server,
    bystanderSegment,
    output: [],
    generated: -1,
  }
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
    await Promise.all(
      LANES.map(async (targets, lane) => {
        const own: Matrix = { ...matrix, baseDir: laneDirs[lane] as string }
        // One seeded stream per command: the moments replay whatever the lanes' interleaving.
        const random = new Map(targets.map((t) => [t, seedrandom(`dsta-faults-${seed}-${t}`)]))
        for (let round = 1; round <= rounds; round++)
          for (const target of targets) {
            const kind = kindOf(round, target)
            // A command that ends before its moment came took no fault: its slot is tried again,
            // within the time that run took (a quiet machine runs it faster than the window allows).
            let window = MAX_DELAY[target]
            for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
              const delay = Math.floor((random.get(target) as () => number)() * window)
              const ranFor = await oneFault(own, figures, { round, attempt, target, kind, delay })
              if (ranFor === undefined) break
              window = ranFor
            }
          }
      }),
    )
    for (const dir of laneDirs)
      figures.orphansLeft.push(...(await bystanderCheck({ ...matrix, baseDir: dir }, figures)))
  } finally {
    await server.stop()
    execFileSync('ipcrm', ['-m', String(bystanderSegment)])
    const passwords = [server.url, ...laneDirs.flatMap(clusterPasswords)].map((secret) =>
      secret.startsWith('postgresql:') ? decodeURIComponent(new URL(secret).password) : secret,
    )
    figures.secretsPrinted = matrix.output.filter((text) =>
      passwords.some((p) => p && text.includes(p)),
    ).length
    for (const dir of [...laneDirs, serverDir]) await rm(dir, { recursive: true, force: true })
    figures.wallSeconds = (performance.now() - began) / 1000
  }
  return figures
}

/** Tries of a slot whose command keeps ending before its fault's moment. */
const ATTEMPTS = 5

/** One command killed, the next run, the checks; undefined when the fault landed, else how long (ms) the command ran. */
async function oneFault(
  matrix: Matrix,
  figures: Figures,
  {
    round,
    attempt,
    target,
    kind,
    delay,
  }: { round: number; attempt: number; target: Target; kind: Kind; delay: number },
): Promise<number | undefined> {
  const name = `r${round}_${target}${attempt > 1 ? `_${attempt}` : ''}`
  const label = `round ${round}${attempt > 1 ? `.${attempt}` : ''} ${target} (${kind} at ${delay} ms)`
  const clock = lap()
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
  const startedAt = performance.now()
  const finished = await Promise.race([exited.then(() => true), sleep(delay).then(() => false)])
  const ranFor = Math.min(delay, Math.floor(performance.now() - startedAt))
  if (finished) figures.finishedBeforeFault.push(label)
  else {
    figures.faultsInjected++
    figures.byTarget[target][kind]++
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
  const seconds = figures.seconds[target]
  seconds.killed += clock()

  // The next start: the same command, to its end (a vitest run passes; `up` gets to "Ready" and is
  // stopped as by Ctrl-C; a CLI command migrates and verifies). The CLI's run in this process: the same code
  // as its binary without a Node start each (2 of a round's 3 seconds per command, measured).
  const next =
    target === 'vitest'
      ? await expectOk(matrix, args, env)
      : target === 'up'
        ? await cliOk(matrix, ['up'], { until: 'Ready. Press Ctrl-C to stop.' })
        : (await cliOk(matrix, ['migrate', '--database-url', url])) &&
          (await cliOk(matrix, ['verify', '--database-url', url]))
  if (!next) figures.nextRunFailures.push(`${label}: the next run failed: ${matrix.lastFailure}`)
  seconds.next += clock()

  figures.orphansLeft.push(...leftovers(matrix.baseDir, recorded, label, child.pid as number, posixBefore))
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
  seconds.checks += clock()
  return finished ? ranFor : undefined
}

/** Seconds since the last call (or since `lap()`). */
function lap(): () => number {
  let last = performance.now()
  return () => {
    const now = performance.now()
    const seconds = (now - last) / 1000
    last = now
    return seconds
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
  if (code !== 0) failed(matrix, args.slice(1, 3), code, matrix.output.at(-1) ?? '')
  return code === 0
}

/** Notes a failed run: its whole output on stderr, its first error line for the figures. */
function failed(matrix: Matrix, command: string[], code: number | null, output: string) {
  console.error(`faults: ${command.join(' ')} exited ${code}:\n${output}`)
  const line = output.split('\n').find((text) => /error/i.test(text)) ?? output.split('\n')[0]
  matrix.lastFailure = `${command.join(' ')} exited ${code}: ${line?.trim()}`
}

/** Runs the CLI in this process on the matrix's cache folder; true when it exits 0 (its output kept). */
async function cliOk(matrix: Matrix, argv: string[], { until }: { until?: string } = {}): Promise<boolean> {
  let text = ''
  const controller = new AbortController() // what Ctrl-C does to the CLI's binary
  const write = (chunk: string) => {
    text += chunk
    if (until && text.includes(until)) controller.abort()
  }
  const saved = process.env.DSTA_DB_TMPDIR
  process.env.DSTA_DB_TMPDIR = matrix.baseDir // read where the embedded server's folder is chosen
  try {
    const env = { ...process.env, NO_COLOR: '1', DATABASE_URL: undefined }
    const io = { stdout: write, stderr: write, env, cwd: repo, isTTY: false, signal: controller.signal }
    const code = await runCli(argv, io)
    if (code !== 0) failed(matrix, argv.slice(0, 2), code, text)
    return code === 0
  } finally {
    matrix.output.push(text)
    if (saved === undefined) delete process.env.DSTA_DB_TMPDIR
    else process.env.DSTA_DB_TMPDIR = saved
  }
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** How long `step` took, in ms (it must succeed: it calibrates the kill moments). */
async function timed(step: () => Promise<boolean>): Promise<number> {
  const start = performance.now()
  if (!(await step())) throw new Error('faults: a calibration run failed')
  return Math.round(performance.now() - start)
}
