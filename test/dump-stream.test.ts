import { sql } from 'slonik'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { dumpFixture, writeFixture } from '../src/fixtures/index.js'
import { generateTestData } from '../src/generate/index.js'
import { migrate } from '../src/migrate/index.js'
import { createDstaPool } from '../src/schema/index.js'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'

let server: StartedPostgres
let pool: Awaited<ReturnType<typeof createDstaPool>>

beforeAll(async () => {
  server = await startPostgres({ provider: 'embedded' })
  await migrate(server.url)
  pool = await createDstaPool(server.url)
}, 120_000)

afterAll(async () => {
  await pool?.end()
  await server?.stop()
})

/** The text the dump made before it streamed: every record in memory, then one JSON.stringify. */
function wholeText(records: unknown[], indent?: number): string {
  if (indent !== undefined) return `${JSON.stringify(records, null, indent)}\n`
  if (!records.length) return '[]\n'
  return `[\n${records.map((record) => JSON.stringify(record)).join(',\n')}\n]\n`
}

test('the streamed text is the text of one JSON.stringify, for every indent, empty tables included', async () => {
  for (const indent of [undefined, 0, 2, 10])
    expect(await dumpFixture(pool, [], indent === undefined ? {} : { indent })).toBe(wholeText([], indent))
  await generateTestData(pool, { days: 1, symbols: ['BTCUSDT'] })
  const records = JSON.parse(await dumpFixture(pool)) as unknown[]
  expect(records.length).toBeGreaterThan(4000) // more than two cursor fetches
  for (const indent of [undefined, 0, 2, 10]) {
    const options = indent === undefined ? {} : { indent }
    expect(await dumpFixture(pool, undefined, options)).toBe(wholeText(records, indent))
  }
  expect(await dumpFixture(pool, ['market_metrics'], { indent: 2 })).toBe(
    wholeText(
      records.filter((r) => (r as { model: string }).model === 'market_metrics'),
      2,
    ),
  )
})

test('writeFixture hands the text over in pieces, waits for a slow sink, and returns the record count', async () => {
  const pieces: string[] = []
  let waited = 0
  const count = await writeFixture(pool, async (text) => {
    pieces.push(text)
    waited++
    await new Promise((resolve) => setTimeout(resolve, 1))
  })
  expect(pieces.length).toBeGreaterThan(3)
  expect(waited).toBe(pieces.length)
  expect(count).toBe(JSON.parse(pieces.join('')).length)
  expect(pieces.join('')).toBe(await dumpFixture(pool))
  // a dump inside a transaction (a test's `db`) reads that transaction's rows
  await pool
    .transaction(async (transaction) => {
      await transaction.query(sql.unsafe`DELETE FROM trades`)
      const text = await dumpFixture(transaction, ['trades'])
      expect(text).toBe('[]\n')
      throw new Error('roll back')
    })
    .catch(() => {})
})
