import { sql } from 'slonik'
import { describe, expect, test } from '../../../src/vitest/index.js'
import { count, insertCandle, record } from './record.js'

// Made once for the file: every test sees it; it is gone when the file ends.
test.beforeAll(async ({ fileDb }) => {
  await insertCandle(fileDb, undefined, 'FILEB')
})

describe('isolation b', () => {
  test('sees its file data and no other file', async ({ db, seed, factories, faker, databaseUrl }) => {
    expect(await count(db, 'FILEB')).toBe(1)
    expect(await count(db, 'FILEA')).toBe(0)
    const rows = await factories.candlestick.createList(2, { symbol: 'TESTB' })
    const row = await insertCandle(db, faker, 'TESTB2')
    expect(await count(db)).toBe(4)
    const database = await db.oneFirst(sql.unsafe`SELECT current_database()`)
    record({ file: 'b', test: 'first', seed, rows, row, database, databaseUrl })
  })

  test('does not see the rows of the test before', async ({ db, seed }) => {
    expect(await count(db, 'TESTB')).toBe(0)
    expect(await count(db)).toBe(1)
    expect(await count(db, 'FILEB')).toBe(1)
    record({ file: 'b', test: 'second', seed })
  })

  test('a failed nested transaction leaves the test usable', async ({ db }) => {
    await insertCandle(db, undefined, 'KEEP')
    await expect(
      db.transaction(async (nested) => {
        await nested.query(sql.unsafe`INSERT INTO candlesticks (exchange) VALUES ('nowhere')`)
      }),
    ).rejects.toThrow()
    expect(await count(db, 'KEEP')).toBe(1)
  })

  test('a failed statement outside any nested transaction', async ({ db }) => {
    await expect(db.query(sql.unsafe`SELECT 1/0`)).rejects.toThrow(/division by zero/)
  })

  test('the test after a failed statement starts clean', async ({ db }) => {
    expect(await count(db)).toBe(1)
  })
})
