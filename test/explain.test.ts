import { sql } from 'slonik'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { explain, hasSeqScan, usesIndex } from '../src/explain/index.js'
import { generateTestData } from '../src/generate/index.js'
import { migrate } from '../src/migrate/index.js'
import { createDstaPool } from '../src/schema/index.js'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'

const GUIDE = sql.unsafe`SELECT * FROM candlesticks
  WHERE exchange = 'binance' AND symbol = 'BTCUSDT' AND interval = '1h' ORDER BY timestamp DESC LIMIT 100`
const COMPOSITE = 'candlesticks_exchange_symbol_interval_timestamp_key'

let server: StartedPostgres
let pool: Awaited<ReturnType<typeof createDstaPool>>

beforeAll(async () => {
  server = await startPostgres({ provider: 'embedded' })
  await migrate(server.url)
  pool = await createDstaPool(server.url)
  await generateTestData(pool, { days: 7, symbols: ['BTCUSDT', 'ETHUSDT'] })
}, 120_000)

afterAll(async () => {
  await pool?.end()
  await server?.stop()
})

describe('explain()', () => {
  test("the guide's query: its composite index, read backward, as nodes with estimates", async () => {
    const plan = await explain(pool, GUIDE)
    expect(plan.indexes).toEqual([COMPOSITE])
    expect(usesIndex(plan, COMPOSITE)).toBe(true)
    expect(hasSeqScan(plan)).toBe(false)
    expect(plan.nodes[0]).toMatchObject({ type: 'Limit', depth: 0 })
    expect(plan.nodes.find((node) => node.index === COMPOSITE)).toMatchObject({
      relation: 'candlesticks',
      direction: 'Backward',
      depth: 1,
    })
    expect(plan.estimatedRows).toBeGreaterThan(0)
    expect(plan.actualRows).toBeUndefined()
    expect(plan.seqscanDisabled).toBe(false)
    expect(plan.text).toMatch(
      /^Limit .*\n {2}-> {2}Index Scan Backward using candlesticks_exchange_symbol_interval_timestamp_key on candlesticks/,
    )
    expect((plan.json.Plan as { 'Node Type': string })['Node Type']).toBe('Limit')
  })

  test('analyze: actual rows; a DELETE explained with analyze deletes nothing', async () => {
    const plan = await explain(pool, GUIDE, { analyze: true })
    expect(plan.actualRows).toBe(100)
    expect(plan.executionMs).toBeGreaterThan(0)
    const before = await pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM candlesticks`)
    const deleted = await explain(pool, 'DELETE FROM candlesticks;', { analyze: true })
    expect(deleted.nodes[0]?.type).toBe('ModifyTable')
    expect(await pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM candlesticks`)).toBe(before)
  })

  test('a small table: a sequential scan, then an index with preferIndexes; withoutIndexes hides the others', async () => {
    await pool.query(sql.unsafe`CREATE TABLE small (id int PRIMARY KEY, v int)`)
    await pool.query(sql.unsafe`INSERT INTO small VALUES (1, 1), (2, 2), (3, 3)`)
    await pool.query(sql.unsafe`ANALYZE small`)
    const small = sql.unsafe`SELECT * FROM small WHERE id = 2`
    expect(hasSeqScan(await explain(pool, small), 'small')).toBe(true)
    const auto = await explain(pool, small, { preferIndexes: 'auto' })
    expect(auto.seqscanDisabled).toBe(true)
    expect(auto.indexes).toEqual(['small_pkey'])
    const hidden = await explain(pool, GUIDE, {
      preferIndexes: true,
      withoutIndexes: ['candlesticks_exchange_timestamp_idx', 'candlesticks_symbol_timestamp_idx'],
    })
    expect(hidden.hiddenIndexes).toHaveLength(2)
    expect(hidden.indexes).toEqual([COMPOSITE])
    const indexes = await pool.oneFirst(
      sql.unsafe`SELECT count(*)::int FROM pg_indexes WHERE tablename = 'candlesticks'`,
    )
    expect(indexes).toBe(4) // the hidden indexes are back: the DROP was rolled back
  })

  test('inside a transaction: a savepoint, rolled back; the transaction goes on', async () => {
    await pool
      .transaction(async (transaction) => {
        await transaction.query(sql.unsafe`DELETE FROM trades`)
        const plan = await explain(transaction, 'SELECT count(*) FROM trades', {
          analyze: true,
          preferIndexes: true,
        })
        expect(plan.seqscanDisabled).toBe(true)
        expect(await transaction.oneFirst(sql.unsafe`SHOW enable_seqscan`)).toBe('on')
        expect(await transaction.oneFirst(sql.unsafe`SELECT count(*)::int FROM trades`)).toBe(0)
        throw new Error('roll back the DELETE')
      })
      .catch(() => {})
    expect(await pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM trades`)).toBeGreaterThan(0)
  })

  test('a query the server refuses: its error', async () => {
    await expect(explain(pool, 'SELECT * FROM nope')).rejects.toThrow(/relation "nope" does not exist/)
    await expect(explain(pool, '  ')).rejects.toThrow(/empty/)
  })
})
