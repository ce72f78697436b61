// The plugin on our own suite: these tests get their database from the root vitest.config.ts.
import { sql } from 'slonik'
import { createSeededFaker } from '../src/factories/index.js'
import { describe, expect, test } from '../src/vitest/index.js'
import { deriveSeed } from '../src/vitest/seed.js'

const symbols = (db: { anyFirst: (query: never) => Promise<readonly unknown[]> }) =>
  db.anyFirst(sql.unsafe`SELECT symbol FROM candlesticks ORDER BY symbol` as never)

// File-level data: made once, seen by every test of this file, rolled back with the file.
test.beforeAll(async ({ fileDb }) => {
  await fileDb.query(sql.unsafe`INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price,
    high_price, low_price, close_price, volume, quote_volume)
    VALUES ('binance', 'SHARED', '1d', '2024-01-01', 1, 1, 1, 1, 1, 1)`)
})

describe('db fixture', () => {
  test('starts from the template plus the file data', async ({ db }) => {
    expect(await symbols(db)).toEqual(['SHARED'])
    await db.query(sql.unsafe`DELETE FROM candlesticks`)
    expect(await symbols(db)).toEqual([])
  })

  test('does not see what the test before did', async ({ db, factories }) => {
    expect(await symbols(db)).toEqual(['SHARED'])
    await factories.candlestick.createList(3, { symbol: 'MADE' })
    expect(await symbols(db)).toEqual(['MADE', 'MADE', 'MADE', 'SHARED'])
  })

  test('db.transaction() is a savepoint: its failure leaves the test going', async ({ db }) => {
    await expect(
      db.transaction(async (nested) => {
        await nested.query(sql.unsafe`UPDATE candlesticks SET symbol = 'GONE'`)
        await nested.query(sql.unsafe`SELECT 1/0`)
      }),
    ).rejects.toThrow(/division by zero/)
    expect(await symbols(db)).toEqual(['SHARED'])
  })

  test('is a connection to the file database, whose address databaseUrl gives', async ({
    db,
    databaseUrl,
  }) => {
    const name = await db.oneFirst(sql.unsafe`SELECT current_database()`)
    expect(new URL(databaseUrl).pathname).toBe(`/${name}`)
    expect(name).toMatch(/^dsta_[0-9a-f]{6}_w\d+_[0-9a-f]{8}$/)
  })
})

test('seed: derived from the base seed, this file and the full test name', ({ seed, dstaRun, task }) => {
  expect(seed).toBe(deriveSeed(dstaRun.baseSeed, 'test/vitest-fixtures.test.ts', task.fullTestName))
  expect(deriveSeed(1, 'a.test.ts', 'x > y')).toBe(deriveSeed(1, 'a.test.ts', 'x > y'))
  expect(deriveSeed(1, 'a.test.ts', 'x > y')).not.toBe(deriveSeed(2, 'a.test.ts', 'x > y'))
  expect(deriveSeed(1, 'a.test.ts', 'x > y')).not.toBe(deriveSeed(1, 'b.test.ts', 'x > y'))
})

test('faker is seeded by the test seed', ({ faker, seed }) => {
  expect(faker.string.alphanumeric(16)).toBe(
    // a second Faker from the same seed draws the same value
    createSeededFaker(seed).string.alphanumeric(16),
  )
})
// dstaDb()'s options: test/vitest-options.test.ts
