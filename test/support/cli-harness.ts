import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { run } from '../../src/cli/program.js'
import { type StartedPostgres, startPostgres } from '../../src/server/index.js'

/**
 * The in-process CLI against an embedded server, for test/cli*.test.ts: each test gets its own
 * clone of `cli_template` (migrated, sample data loaded), so no test depends on another's leftovers.
 */
export function useCliHarness(prefix: string) {
  const state = { server: undefined as unknown as StartedPostgres, dir: '', url: '' }
  let clones = 0
  const urlOf = (name: string) => state.server.url.replace(/\/postgres$/, `/${name}`)

  /** Runs the CLI in-process; `env` defaults to DATABASE_URL of the test database. */
  async function cli(args: string[], env: NodeJS.ProcessEnv = { DATABASE_URL: state.url }, isTTY = false) {
    let out = ''
    let err = ''
    const code = await run(args, {
      stdout: (text) => {
        out += text
      },
      stderr: (text) => {
        err += text
      },
      env,
      cwd: state.dir,
      isTTY,
    })
    return { code, out, err }
  }

  async function query<T = Record<string, unknown>>(text: string, database = state.url): Promise<T[]> {
    const client = new pg.Client({ connectionString: database })
    await client.connect()
    try {
      return (await client.query(text)).rows as T[]
    } finally {
      await client.end()
    }
  }

  const count = async (table: string, database = state.url) =>
    Number((await query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`, database))[0]?.n)

  beforeAll(async () => {
    state.server = await startPostgres({ provider: 'embedded' })
    state.dir = await mkdtemp(join(tmpdir(), 'dsta-cli-'))
    const init = await cli(['init', '--with-sample-data'], { DATABASE_URL: urlOf('cli_template') })
    if (init.code !== 0) throw new Error(init.err)
  })

  beforeEach(async () => {
    const name = `${prefix}_${++clones}`
    await query(`CREATE DATABASE ${name} TEMPLATE cli_template STRATEGY FILE_COPY`, state.server.url)
    state.url = urlOf(name)
  })

  afterAll(async () => {
    await state.server?.stop()
    if (state.dir) await rm(state.dir, { recursive: true, force: true })
  })

  return { state, cli, query, count, urlOf }
}
