// Identifiers that come from input — database names, table names for dump / vacuum, the migration
// history table, snapshot (folder) names — are quoted or refused, never pasted into SQL or paths.
// Each hostile name below carries a statement that would drop a canary table if it ever ran; after
// every attempt both canaries (in the server's `postgres` database and in the test's database)
// must still be there, and the command either refused the name clearly or used it literally.
import { expect, test } from 'vitest'
import { migrate } from '../src/migrate/index.js'
import { findSnapshot } from '../src/server/snapshot.js'
import { useCliHarness } from './support/cli-harness.js'

const { state, cli, query, urlOf } = useCliHarness('inject')

const HOSTILE = [
  'x"; DROP TABLE canary; --',
  "x'; DROP TABLE canary; --",
  'x" WITH TEMPLATE template0; DROP TABLE canary; --',
]

/** Both canaries, made before an attempt and looked for after it. */
async function plantCanaries(): Promise<() => Promise<void>> {
  for (const url of [state.server.url, state.url])
    await query('CREATE TABLE IF NOT EXISTS canary (n int)', url)
  return async () => {
    for (const url of [state.server.url, state.url])
      expect((await query("SELECT to_regclass('canary') AS t", url))[0]?.t).toBe('canary')
  }
}

async function databases(): Promise<string[]> {
  return (await query<{ datname: string }>('SELECT datname FROM pg_database', state.server.url)).map(
    (row) => row.datname,
  )
}

test.each(HOSTILE)('init and reset on a database named %j create and drop that very name', async (name) => {
  const canariesAlive = await plantCanaries()
  // encodeURI, not encodeURIComponent: node-postgres decodes the path with decodeURI (as we do)
  const url = urlOf(encodeURI(name))
  const init = await cli(['init', '--database-url', url])
  expect(init.code, init.err).toBe(0)
  expect(await databases()).toContain(name) // CREATE DATABASE got the name, quoted
  expect((await query("SELECT to_regclass('candlesticks') AS t", url))[0]?.t).toBe('candlesticks')
  const reset = await cli(['reset', '--yes', '--database-url', url])
  expect(reset.code, reset.err).toBe(0)
  expect(await databases()).toContain(name)
  await query(`DROP DATABASE ${quote(name)} WITH (FORCE)`, state.server.url)
  await canariesAlive()
})

test.each(HOSTILE)('init --db-name %j (the guide form) uses the name as it is', async (name) => {
  const canariesAlive = await plantCanaries()
  const server = new URL(state.server.url)
  const password = decodeURIComponent(server.password)
  const init = await cli(
    ['init', '--db-host', '127.0.0.1', '--db-port', server.port, '--db-user', 'postgres', '--db-name', name],
    { DB_PASSWORD: password },
  )
  expect(init.code, init.err).toBe(0)
  expect(await databases()).toContain(name)
  await query(`DROP DATABASE ${quote(name)} WITH (FORCE)`, state.server.url)
  await canariesAlive()
})

test.each(
  HOSTILE.flatMap((name) => [
    ['dump', name],
    ['vacuum', name],
  ]),
)('%s %j is refused, naming the table', async (command, name) => {
  const canariesAlive = await plantCanaries()
  const result = await cli([command, name])
  expect(result.code).not.toBe(0)
  expect(result.err).toContain(name)
  expect(result.err).not.toMatch(/\n\s+at /) // a message, not a stack
  await canariesAlive()
})

test.each(HOSTILE)('migrate with historyTable %j is refused before any SQL', async (name) => {
  const canariesAlive = await plantCanaries()
  await expect(migrate(state.url, { historyTable: name })).rejects.toThrow(/historyTable/)
  await canariesAlive()
})

test.each(['../../etc', 'a/b', '..', 'x; rm -rf /'])(
  'snapshot name %j is refused, never a path',
  async (name) => {
    await expect(findSnapshot(state.dir, name)).rejects.toThrow(/snapshot name/)
    const up = await cli(['up', '--snapshot', name])
    expect(up.code).not.toBe(0)
    expect(up.err).toMatch(/snapshot name/)
  },
)

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
