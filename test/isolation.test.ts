import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DatabaseTransactionConnection, sql } from 'slonik'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { connectAdmin, databasesLike, startsWith, withAdminClient } from '../src/isolation/admin.js'
import { ClonePool, claimClone, ensureClone } from '../src/isolation/clones.js'
import { databaseUrl, fileCloneName, runPrefix } from '../src/isolation/names.js'
import { beginSuiteTransaction } from '../src/isolation/suite.js'
import { suiteSlonik } from '../src/isolation/suite-slonik.js'
import { ensureTemplate } from '../src/isolation/template.js'
import { createDstaPool } from '../src/schema/index.js'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'
import { fileIsolation } from '../src/vitest/file-state.js'
import { templateRecipe } from '../src/vitest/recipe.js'

let server: StartedPostgres
let extra: string

beforeAll(async () => {
  server = await startPostgres({ provider: 'embedded' })
  extra = mkdtempSync(join(tmpdir(), 'dsta-isolation-'))
  writeFileSync(join(extra, '0100_notes.up.sql'), 'CREATE TABLE notes (id int PRIMARY KEY);')
}, 60_000)

afterAll(async () => {
  await server?.stop()
  rmSync(extra, { recursive: true, force: true })
})

const templates = () =>
  withAdminClient(server.url, (client) => databasesLike(client, startsWith('dsta_tpl_')))

describe('template', () => {
  test('built once, reused, and rebuilt under a new name when a migration file changes', async () => {
    const first = await templateRecipe({ migrations: [extra] }, '/')
    const racing = await Promise.all([1, 2, 3].map(() => ensureTemplate(server.url, first)))
    expect(racing.filter((template) => template.built)).toHaveLength(1) // the advisory lock serialises the race
    expect(new Set(racing.map((template) => template.name)).size).toBe(1)
    expect(await ensureTemplate(server.url, first)).toEqual({ name: racing[0]?.name, built: false })

    writeFileSync(join(extra, '0100_notes.up.sql'), 'CREATE TABLE notes (id int PRIMARY KEY, body text);')
    const changed = await templateRecipe({ migrations: [extra] }, '/')
    expect(changed.hash).not.toBe(first.hash)
    const second = await ensureTemplate(server.url, changed)
    expect(second.built).toBe(true)
    expect(second.name).not.toBe(racing[0]?.name)
    expect(await templates()).toEqual(expect.arrayContaining([racing[0]?.name, second.name]))
  })

  test('the template refuses connections, so a clone never waits for one', async () => {
    const template = await ensureTemplate(server.url, await templateRecipe({}, '/'))
    await expect(createDstaPool(databaseUrl(server.url, template.name))).rejects.toThrow(
      /not currently accepting connections/,
    )
  })

  test('sampleData and testData are baked into the template once', async () => {
    const recipe = await templateRecipe(
      { sampleData: true, testData: { days: 0.01, symbols: ['BTCUSDT'] } },
      '/',
    )
    expect(recipe.hash).not.toBe((await templateRecipe({ sampleData: true }, '/')).hash)
    const template = await ensureTemplate(server.url, recipe)
    const clone = 'dsta_baked01_f1'
    await withAdminClient(server.url, (client) =>
      claimClone(client, { runId: 'baked01', template: template.name }, clone),
    )
    const pool = await createDstaPool(databaseUrl(server.url, clone))
    const counts = (await pool.one(sql.unsafe`SELECT
      (SELECT count(*)::int FROM candlesticks WHERE symbol = 'BTCUSDT') AS candles,
      (SELECT count(*)::int FROM market_metrics) AS metrics,
      (SELECT count(*)::int FROM trades) AS trades`)) as { candles: number; metrics: number; trades: number }
    await pool.end()
    await withAdminClient(server.url, (client) => client.query(`DROP DATABASE ${clone} WITH (FORCE)`))
    expect(counts.trades).toBeGreaterThan(0) // generated
    expect(counts.metrics).toBeGreaterThanOrEqual(2) // the guide's sample metrics at least
    expect(counts.candles).toBeGreaterThan(2)
  })

  test('a failed build leaves no template and no scratch database behind', async () => {
    const before = await templates()
    const broken = {
      hash: 'f'.repeat(64),
      build: async () => Promise.reject(new Error('migration 0002 failed')),
    }
    await expect(ensureTemplate(server.url, broken)).rejects.toThrow('migration 0002 failed')
    expect(await templates()).toEqual(before)
  })
})

describe('clones', () => {
  test('worker clones and spares are made ahead of need; a claimed spare is replaced; close drops all', async () => {
    const template = await ensureTemplate(server.url, await templateRecipe({}, '/'))
    const names = { runId: 'abc123', template: template.name }
    const pool = await ClonePool.start(server.url, { ...names, workers: 2, spares: 2, maxDatabases: 10 })
    await pool.settled()
    const listRun = () =>
      withAdminClient(server.url, (client) => databasesLike(client, startsWith(runPrefix('abc123'))))
    const ready = await listRun()
    expect(ready.filter((name) => /_w\d_/.test(name))).toHaveLength(2)
    expect(ready.filter((name) => /_s\d+_/.test(name))).toHaveLength(2)

    const mine = fileCloneName(names, 'mine') // ends with the template's suffix, as every clone of the run
    await withAdminClient(server.url, (client) => claimClone(client, names, mine))
    await new Promise((resolve) => setTimeout(resolve, 200)) // the NOTIFY reaches the pool
    await pool.settled()
    const after = await listRun()
    expect(after).toContain(mine)
    expect(after.filter((name) => /_s\d+_/.test(name))).toHaveLength(2)

    const clonePool = await createDstaPool(databaseUrl(server.url, mine))
    expect(await clonePool.oneFirst(sql.unsafe`SELECT count(*)::int FROM candlesticks`)).toBe(0)
    await pool.close() // drops every database of the run (of its template), even with our pool still connected
    await clonePool.end()
    expect(await listRun()).toEqual([])
  })
})

describe('clones, spares on demand', () => {
  test('sparesUpFront: false makes none until a first file claims a clone, then keeps them ready', async () => {
    const template = await ensureTemplate(server.url, await templateRecipe({}, '/'))
    const names = { runId: 'abc124', template: template.name }
    const pool = await ClonePool.start(server.url, {
      ...names,
      workers: 1,
      spares: 2,
      maxDatabases: 10,
      sparesUpFront: false,
    })
    try {
      await pool.settled()
      const spares = async () =>
        (
          await withAdminClient(server.url, (client) =>
            databasesLike(client, startsWith(runPrefix('abc124'))),
          )
        ).filter((name) => /_s\d+_/.test(name))
      expect(await spares()).toEqual([])
      await withAdminClient(server.url, (client) => claimClone(client, names, fileCloneName(names, 'first')))
      // The NOTIFY reaches the pool, which then makes the spares: however long that takes here.
      await vi.waitFor(async () => expect(await spares()).toHaveLength(2), { timeout: 30_000, interval: 50 })
    } finally {
      await pool.close()
    }
  })
})

describe('suite transaction', () => {
  test('rows of the file and of each test are rolled back; the client stays open and healthy', async () => {
    const template = await ensureTemplate(server.url, await templateRecipe({}, '/'))
    await withAdminClient(server.url, (client) =>
      claimClone(client, { runId: 'tx0001', template: template.name }, 'dsta_tx0001_f1'),
    )
    const url = databaseUrl(server.url, 'dsta_tx0001_f1')
    const client = await connectAdmin(url)
    type Db = {
      anyFirst: DatabaseTransactionConnection['anyFirst']
      query: DatabaseTransactionConnection['query']
    }
    const symbols = (db: Db) => db.anyFirst(sql.unsafe`SELECT symbol FROM candlesticks ORDER BY symbol`)
    const insert = (db: Db, symbol: string) =>
      db.query(sql.unsafe`INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price,
        low_price, close_price, volume, quote_volume) VALUES ('binance', ${symbol}, '1h', now(), 1, 1, 1, 1, 1, 1)`)

    const suite = await beginSuiteTransaction(client)
    const { connection, fileConnection, end } = await suiteSlonik(suite, url)
    await insert(fileConnection, 'FILE')
    const nextId = async () => {
      await suite.beginTest()
      const id = await connection.oneFirst(sql.unsafe`INSERT INTO candlesticks (exchange, symbol, "interval",
        "timestamp", open_price, high_price, low_price, close_price, volume, quote_volume)
        VALUES ('binance', 'IDS', '1h', now(), 1, 1, 1, 1, 1, 1) RETURNING id`)
      suite.endTest()
      return id
    }
    expect(await nextId()).toBe(await nextId()) // ids are not used up by rolled-back tests
    await suite.beginTest()
    await insert(connection, 'TEST')
    await expect(connection.query(sql.unsafe`SELECT 1/0`)).rejects.toThrow(/division by zero/)
    suite.endTest()
    // File-level code between tests: the deferred rollback goes first and restores the aborted transaction.
    expect(await symbols(fileConnection)).toEqual(['FILE'])
    await insert(fileConnection, 'LATER')
    await suite.beginTest()
    expect(await symbols(connection)).toEqual(['FILE', 'LATER'])
    suite.endTest()
    await end()
    await suite.end()

    const after = await client.query('SELECT count(*)::int AS n FROM candlesticks')
    expect(after.rows[0].n).toBe(0)
    await client.end()
    await withAdminClient(server.url, (admin) => admin.query('DROP DATABASE dsta_tx0001_f1 WITH (FORCE)'))
  })
})

describe('failures that only timing brings', () => {
  test('two makers of one clone at once (main process and worker): both succeed, one database', async () => {
    const template = await ensureTemplate(server.url, await templateRecipe({}, '/'))
    const name = 'dsta_race01_w1_test'
    for (let round = 0; round < 5; round++) {
      await withAdminClient(server.url, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      )
      const makers = [1, 2].map(() =>
        withAdminClient(server.url, (client) => ensureClone(client, name, template.name)),
      )
      await expect(Promise.all(makers)).resolves.toHaveLength(2)
    }
    expect(
      await withAdminClient(server.url, (client) => databasesLike(client, startsWith('dsta_race01_'))),
    ).toEqual([name])
    await withAdminClient(server.url, (client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`))
  })

  test("a connection lost in the middle of a file fails that file's end, not the whole run", async () => {
    const template = await ensureTemplate(server.url, await templateRecipe({}, '/'))
    await withAdminClient(server.url, (client) =>
      claimClone(client, { runId: 'lost01', template: template.name }, 'dsta_lost01_f1'),
    )
    const client = await connectAdmin(databaseUrl(server.url, 'dsta_lost01_f1'))
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const suite = await beginSuiteTransaction(client)
      const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid
      await withAdminClient(server.url, (client) => client.query('SELECT pg_terminate_backend($1)', [pid]))
      await new Promise((resolve) => setTimeout(resolve, 200)) // the loss surfaces while the file "runs"
      await expect(suite.end()).rejects.toThrow()
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
      await client.end().catch(() => {})
      await withAdminClient(server.url, (client) => client.query('DROP DATABASE dsta_lost01_f1 WITH (FORCE)'))
    }
  })
})

describe('isolation comment', () => {
  test('a file chooses database isolation with a comment; a wrong value names the file and line', async () => {
    const file = join(extra, 'x.test.ts')
    writeFileSync(file, "// @dsta-isolation database\nimport { test } from 'dsta-db/vitest'\n")
    expect(await fileIsolation(file, 'transaction')).toBe('database')
    writeFileSync(file, "import { test } from 'dsta-db/vitest'\nconst s = '@dsta-isolation database'\n")
    expect(await fileIsolation(file, 'transaction')).toBe('transaction')
    writeFileSync(file, '/**\n * @dsta-isolation databse\n */\n')
    await expect(fileIsolation(file, 'transaction')).rejects.toThrow(`${file}:2: @dsta-isolation must be`)
  })
})
