// One PostgreSQL shared by several runs through DATABASE_URL, as CI jobs and teammates share one:
// an embedded server started here plays the external server.
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'
import { projectKey } from '../src/vitest/kept.js'
import { runNested, type StartedNested, startNested } from './fixtures-vitest/run-nested.js'

const sampleRoot = fileURLToPath(new URL('./fixtures-vitest/shared', import.meta.url))
const ours = projectKey(sampleRoot)

let server: StartedPostgres
let url: string
let password: string
beforeAll(async () => {
  server = await startPostgres({ provider: 'embedded' })
  const address = new URL(server.url)
  address.password ||= 'hunter2-never-printed' // the embedded server has one; any other gets one
  password = decodeURIComponent(address.password)
  url = address.toString()
})
afterAll(() => server?.stop())

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text, params)).rows
  } finally {
    await client.end()
  }
}

async function databases(pattern: string): Promise<string[]> {
  const rows = await sql<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY 1',
    [pattern],
  )
  return rows.map((row) => row.datname)
}

/** Databases of runs (`dsta_<6 hex>_…`), whoever made them. */
async function runDatabases(): Promise<string[]> {
  return (await databases('dsta\\_%')).filter((name) => /^dsta_[0-9a-f]{6}_[wsf]/.test(name))
}

async function waitFor(what: string, done: () => boolean | Promise<boolean>, ms = 120_000): Promise<void> {
  for (const end = Date.now() + ms; !(await done()); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const recordedDatabases = (run: StartedNested) => run.records().map((entry) => String(entry.database))

test('a failed database-isolation file: its database is kept, its address printed without the password', async () => {
  const run = await runNested('shared', ['--maxWorkers', '1'], { DATABASE_URL: url, DSTA_SAMPLE_FAIL: '1' })
  expect(run.exitCode, run.output).toBe(1)
  expect(run.output).toMatch(
    /own-database\.sample\.ts failed; its database is kept : postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/dsta_keep_/,
  )
  expect(run.output.includes(password)).toBe(false)
  expect(await databases(`dsta\\_keep\\_${ours}\\_%`)).toHaveLength(1)
}, 120_000)

test('redact masks a password in every place an address may carry one', async () => {
  const { redact, redactText } = await import('../src/server/external.js')
  expect(redact('postgresql://a:p@ss@db:5432/x')).toBe('postgresql://a:***@db:5432/x')
  expect(redact('postgres://a:pw@db')).toBe('postgres://a:***@db')
  expect(redact('postgresql://a@db/x')).toBe('postgresql://a@db/x')
  expect(redact('postgresql://db/x?user=a&password=pw&sslmode=require')).toBe(
    'postgresql://db/x?user=a&password=***&sslmode=require',
  )
  expect(redactText('cannot reach postgresql://a:s3cr3t@db/x: timeout')).toBe(
    'cannot reach postgresql://a:***@db/x: timeout',
  )
})

test("keepFailed prunes only this project's kept databases", async () => {
  const theirs = ['dsta_keep_ffffff_00000000a_other_project', 'dsta_keep_ffffff_00000000b_other_project']
  const legacy = 'dsta_keep_00000000c_made_before_project_keys'
  for (const name of [...theirs, legacy]) await sql(`CREATE DATABASE "${name}"`)
  for (let round = 0; round < 2; round++) {
    const run = await runNested('shared', ['--maxWorkers', '1'], {
      DATABASE_URL: url,
      DSTA_SAMPLE_FAIL: '1',
      DSTA_SAMPLE_KEEP: '1',
    })
    expect(run.exitCode, run.output).toBe(1)
  }
  expect(await databases(`dsta\\_keep\\_${ours}\\_%`)).toHaveLength(1)
  expect(await databases('dsta\\_keep\\_ffffff\\_%')).toEqual(theirs)
  expect(await databases(legacy)).toEqual([legacy])
}, 240_000)

test("runs in parallel on one server; a SIGKILLed run's databases are swept by the next, a live run's never", async () => {
  const gate = join(tmpdir(), `dsta-gate-${process.pid}-${Date.now()}`)
  const strangers = ['dsta_manual', 'dsta_abcdef', 'someone_elses_db']
  for (const name of strangers) await sql(`CREATE DATABASE "${name}"`)
  const env = { DATABASE_URL: url, DSTA_SAMPLE_GATE: gate }
  const live = startNested('shared', ['--maxWorkers', '2'], env)
  const killed = startNested('shared', ['--maxWorkers', '2'], env, { detached: true })
  await waitFor('both runs at the gate', () => live.records().length === 2 && killed.records().length === 2)
  const liveDatabases = recordedDatabases(live)
  const killedDatabases = recordedDatabases(killed)
  process.kill(-killed.pid, 'SIGKILL') // the whole process group, as a CI time-out does
  expect((await killed.result).exitCode).not.toBe(0)
  const left = await runDatabases()
  expect(left).toEqual(expect.arrayContaining(killedDatabases)) // nothing removed them yet

  const next = await runNested('shared', ['--maxWorkers', '2'], { DATABASE_URL: url })
  expect(next.exitCode, next.output).toBe(0)
  expect(next.output).toMatch(/dropped \d+ database\(s\) of runs that died/)
  const afterNext = await runDatabases()
  for (const name of killedDatabases) expect(afterNext).not.toContain(name)
  for (const name of liveDatabases) expect(afterNext).toContain(name) // the live run's: untouched

  writeFileSync(gate, '')
  const liveResult = await live.result
  expect(liveResult.exitCode, liveResult.output).toBe(0)
  expect(await runDatabases()).toEqual([])
  for (const name of strangers) expect(await databases(name)).toEqual([name])
}, 300_000)

test('templates: a project keeps its 3 most recently used; never one a live run holds or another project uses', async () => {
  const note = (used: Record<string, number>) =>
    `dsta-db template; last used by project (epoch ms): ${JSON.stringify(used)}`
  const other = 'ffffff'
  const fakes: [string, Record<string, number>][] = [
    ['dsta_tpl_00000000000000a1', { [ours]: 1000 }], // oldest of ours: dropped
    ['dsta_tpl_00000000000000a2', { [ours]: 2000 }], // held by a live run: stays
    ['dsta_tpl_00000000000000a3', { [ours]: 3000, [other]: 3000 }], // another project uses it too: stays
    ['dsta_tpl_00000000000000a4', { [ours]: 9_000_000_000_000 }], // among our 3 newest: stays
    ['dsta_tpl_00000000000000a5', { [ours]: 8_000_000_000_000 }], // among our 3 newest (with the run's own)
    ['dsta_tpl_00000000000000b1', { [other]: 1 }], // another project's: never looked at
  ]
  for (const [name, used] of fakes) {
    await sql(`CREATE DATABASE "${name}"`)
    await sql(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`)
    await sql(`COMMENT ON DATABASE "${name}" IS '${note(used)}'`)
  }
  await sql('CREATE DATABASE dsta_tpl_00000000000000c1 IS_TEMPLATE true') // no record: not ours to judge
  const holder = new pg.Client({ connectionString: url })
  await holder.connect()
  await holder.query('SELECT pg_advisory_lock_shared($1, hashtext($2))', [
    0x44535442,
    'dsta_tpl_00000000000000a2',
  ])
  try {
    const run = await runNested('shared', ['--maxWorkers', '1'], { DATABASE_URL: url })
    expect(run.exitCode, run.output).toBe(0)
    expect(run.output).toContain(
      'dropped 1 template(s) this project no longer uses: dsta_tpl_00000000000000a1',
    )
  } finally {
    await holder.end()
  }
  const left = await databases('dsta\\_tpl\\_0%')
  expect(left).toEqual([
    'dsta_tpl_00000000000000a2',
    'dsta_tpl_00000000000000a3',
    'dsta_tpl_00000000000000a4',
    'dsta_tpl_00000000000000a5',
    'dsta_tpl_00000000000000b1',
    'dsta_tpl_00000000000000c1',
  ])
  const [shared] = await sql<{ note: string }>(
    "SELECT shobj_description(oid, 'pg_database') AS note FROM pg_database WHERE datname = 'dsta_tpl_00000000000000a3'",
  )
  expect(shared?.note).toBe(note({ [other]: 3000 })) // our record removed, theirs kept
}, 120_000)
