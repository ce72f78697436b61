// The `pool` fixture: code written for node-postgres, Kysely and Drizzle runs unchanged inside the
// test's transaction, and shares it with `db`.
import { sql as dsql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import { bigint, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { type Generated, Kysely, sql as ksql, PostgresDialect } from 'kysely'
import pg from 'pg'
import { sql } from 'slonik'
import { describe, expect, test } from '../src/vitest/index.js'

// Application code, as a service would have it: a pool handed in, its own transactions.
const INSERT = `INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price,
  low_price, close_price, volume, quote_volume) VALUES ('binance', $1, '1h', $2, 1, 1, 1, 1, 1, 1) RETURNING id`

async function saveTwo(pool: pg.Pool, symbol: string, failSecond = false): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query(INSERT, [symbol, '2024-01-01T00:00:00Z'])
    await client.query(INSERT, [failSecond ? 'bad symbol!' : symbol, '2024-01-01T01:00:00Z'])
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  } finally {
    client.release()
  }
}

async function symbols(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ symbol: string }>('SELECT symbol FROM candlesticks ORDER BY symbol, id')
  return rows.map((row) => row.symbol)
}

test.beforeAll(async ({ filePool }) => {
  await filePool.query(INSERT, ['SHARED', '2023-01-01T00:00:00Z'])
})

describe('pg.Pool-style code', () => {
  test('sees the file data; its committed transaction stays inside the test', async ({ pool }) => {
    expect(pool).toBeInstanceOf(pg.Pool)
    await saveTwo(pool, 'COMMITTED')
    expect(await symbols(pool)).toEqual(['COMMITTED', 'COMMITTED', 'SHARED'])
  })

  test('the test before left nothing', async ({ pool }) => {
    expect(await symbols(pool)).toEqual(['SHARED'])
  })

  test('a transaction that fails is rolled back, and the test goes on', async ({ pool }) => {
    await pool.query(INSERT, ['BEFORE', '2024-02-01T00:00:00Z'])
    await expect(saveTwo(pool, 'HALF', true)).rejects.toThrow(/candlesticks_symbol_check/)
    expect(await symbols(pool)).toEqual(['BEFORE', 'SHARED'])
  })

  test('BEGIN / COMMIT / ROLLBACK in any case and form; COMMIT of a failed transaction answers ROLLBACK', async ({
    pool,
  }) => {
    const client = await pool.connect()
    await client.query('start transaction isolation level serializable, read write;')
    await client.query(INSERT, ['KEPT', '2024-03-01T00:00:00Z'])
    expect((await client.query('End Work')).command).toBe('COMMIT')
    await client.query('Begin')
    await client.query(INSERT, ['UNDONE', '2024-03-01T01:00:00Z'])
    expect((await client.query('abort')).command).toBe('ROLLBACK')
    await client.query('BEGIN')
    await expect(client.query('SELECT 1/0')).rejects.toThrow(/division by zero/)
    expect((await client.query('COMMIT')).command).toBe('ROLLBACK')
    // The caller's own savepoints inside its transaction pass through.
    await client.query('BEGIN')
    await client.query('SAVEPOINT mine')
    await client.query(INSERT, ['MINE', '2024-03-01T02:00:00Z'])
    await client.query('ROLLBACK TO SAVEPOINT mine')
    await client.query('COMMIT')
    client.release()
    expect(await symbols(pool)).toEqual(['KEPT', 'SHARED'])
  })

  test('a client released inside its transaction rolls it back; release twice throws', async ({ pool }) => {
    const client = await pool.connect()
    await client.query('BEGIN')
    await client.query(INSERT, ['FORGOTTEN', '2024-04-01T00:00:00Z'])
    client.release()
    expect(() => client.release()).toThrow(/already been released/)
    expect(await symbols(pool)).toEqual(['SHARED'])
  })

  test('clients are handed out one at a time; pool.query never waits for a held one', async ({ pool }) => {
    const first = await pool.connect()
    let second: pg.PoolClient | undefined
    const waiting = pool.connect().then((client) => {
      second = client
      return client
    })
    await first.query('BEGIN')
    await first.query(INSERT, ['HELD', '2024-05-01T00:00:00Z'])
    expect(await symbols(pool)).toEqual(['HELD', 'SHARED']) // one connection: it sees the held client's rows
    expect(second).toBeUndefined()
    await first.query('COMMIT')
    first.release()
    const client = await waiting
    expect((await client.query('SELECT count(*)::int AS n FROM candlesticks')).rows[0].n).toBe(2)
    client.release()
  })

  test('callbacks, query config objects, events; end() changes nothing', async ({ pool }) => {
    const events: string[] = []
    pool.on('acquire', () => events.push('acquire'))
    pool.on('release', () => events.push('release'))
    const rows = await new Promise<unknown[]>((resolve, reject) =>
      pool.query('SELECT $1::int AS n', [7], (error, result) =>
        error ? reject(error) : resolve(result.rows),
      ),
    )
    expect(rows).toEqual([{ n: 7 }])
    const array = await pool.query({ text: 'SELECT 1 AS a, 2 AS b', rowMode: 'array' })
    expect(array.rows).toEqual([[1, 2]])
    const client = await pool.connect()
    client.release()
    expect(events).toEqual(['acquire', 'release'])
    await pool.end()
    expect(await symbols(pool)).toEqual(['SHARED'])
  })

  test('node-postgres types, not the db fixture parsers: int8 and numeric as text', async ({ pool }) => {
    const { rows } = await pool.query('SELECT 1::int8 AS big, 1.50::numeric AS price')
    expect(rows).toEqual([{ big: '1', price: '1.50' }])
  })
})

test('generateTestData over the pool: COPY inside the test transaction', async ({ pool }) => {
  const { generateTestData } = await import('../src/generate/index.js')
  const counts = await generateTestData(pool, { days: 1, symbols: ['BTCUSDT'], seed: 3 })
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM candlesticks')
  expect(rows[0].n).toBe(counts.candlesticks + 1) // and the file's row
})

test('…and the generated rows are gone after it', async ({ pool }) => {
  expect(await symbols(pool)).toEqual(['SHARED'])
})

describe('db and pool in one test share its transaction', () => {
  test('rows of one are seen by the other, savepoints of both nest', async ({ db, pool }) => {
    await pool.query(INSERT, ['VIAPOOL', '2024-06-01T00:00:00Z'])
    expect(await db.anyFirst(sql.unsafe`SELECT symbol FROM candlesticks ORDER BY symbol`)).toEqual([
      'SHARED',
      'VIAPOOL',
    ])
    await expect(
      db.transaction(async (nested) => {
        await nested.query(sql.unsafe`DELETE FROM candlesticks`)
        expect(await symbols(pool)).toEqual([])
        throw new Error('undo')
      }),
    ).rejects.toThrow('undo')
    expect(await symbols(pool)).toEqual(['SHARED', 'VIAPOOL'])
    expect(await db.oneFirst(sql.unsafe`SELECT 1::int8`)).toBe(1n) // db keeps its own parsers
  })

  test('factories over the same transaction', async ({ factories, pool }) => {
    const made = await factories.candlestick.createList(2, { symbol: 'MADE' })
    expect(made.map((row) => typeof row.id)).toEqual(['bigint', 'bigint'])
    expect(made[0]?.timestamp).toBeInstanceOf(Date)
    expect(await symbols(pool)).toEqual(['MADE', 'MADE', 'SHARED'])
  })
})

interface Database {
  candlesticks: {
    id: Generated<string>
    exchange: string
    symbol: string
    interval: string
    timestamp: string
    open_price: string
    high_price: string
    low_price: string
    close_price: string
    volume: string
    quote_volume: string
  }
}

describe("Kysely's PostgresDialect", () => {
  const row = (symbol: string, hour: number) => ({
    exchange: 'binance',
    symbol,
    interval: '1h',
    timestamp: `2024-07-01T0${hour}:00:00Z`,
    open_price: '1',
    high_price: '1',
    low_price: '1',
    close_price: '1',
    volume: '1',
    quote_volume: '1',
  })

  test('queries and transactions, committed and failed, inside the test', async ({ pool }) => {
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    await kysely.transaction().execute(async (trx) => {
      await trx.insertInto('candlesticks').values(row('KYSELY', 0)).execute()
    })
    await expect(
      kysely
        .transaction()
        .setIsolationLevel('serializable')
        .execute(async (trx) => {
          await trx.insertInto('candlesticks').values(row('KYFAIL', 1)).execute()
          await ksql`SELECT 1/0`.execute(trx)
        }),
    ).rejects.toThrow(/division by zero/)
    const symbols = await kysely.selectFrom('candlesticks').select('symbol').orderBy('symbol').execute()
    expect(symbols.map((r) => r.symbol)).toEqual(['KYSELY', 'SHARED'])
    await kysely.destroy() // ends the pool: harmless
  })

  test('the rows of the Kysely test are gone', async ({ pool }) => {
    expect(await symbols(pool)).toEqual(['SHARED'])
  })
})

const candlesticks = pgTable('candlesticks', {
  id: bigint('id', { mode: 'bigint' }).primaryKey().generatedByDefaultAsIdentity(),
  exchange: text('exchange').notNull(),
  symbol: text('symbol').notNull(),
  interval: text('interval').notNull(),
  timestamp: timestamp('timestamp', { withTimezone: true }).notNull(),
  open: numeric('open_price').notNull(),
  high: numeric('high_price').notNull(),
  low: numeric('low_price').notNull(),
  close: numeric('close_price').notNull(),
  volume: numeric('volume').notNull(),
  quoteVolume: numeric('quote_volume').notNull(),
})

describe("Drizzle's node-postgres driver", () => {
  const row = (symbol: string, hour: number) => ({
    exchange: 'binance',
    symbol,
    interval: '1h',
    timestamp: new Date(Date.UTC(2024, 7, 1, hour)),
    open: '1',
    high: '1',
    low: '1',
    close: '1',
    volume: '1',
    quoteVolume: '1',
  })

  test('queries, transactions, nested savepoints and a failing transaction, inside the test', async ({
    pool,
  }) => {
    const db = drizzle({ client: pool })
    await db.transaction(async (tx) => {
      await tx.insert(candlesticks).values(row('DRIZZLE', 0))
      await tx
        .transaction(async (nested) => {
          await nested.insert(candlesticks).values(row('NESTED', 1))
          nested.rollback()
        })
        .catch(() => {})
    })
    await expect(
      db.transaction(
        async (tx) => {
          await tx.insert(candlesticks).values(row('DRFAIL', 2))
          await tx.execute(dsql`SELECT 1/0`)
        },
        { isolationLevel: 'repeatable read' },
      ),
    ).rejects.toThrow()
    const rows = await db
      .select({ symbol: candlesticks.symbol })
      .from(candlesticks)
      .orderBy(candlesticks.symbol)
    expect(rows.map((r) => r.symbol)).toEqual(['DRIZZLE', 'SHARED'])
  })

  test('the rows of the Drizzle test are gone', async ({ pool }) => {
    expect(await symbols(pool)).toEqual(['SHARED'])
  })
})
