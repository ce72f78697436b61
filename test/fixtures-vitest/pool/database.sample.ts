// @dsta-isolation database
import pg from 'pg'
import { afterAll, describe, expect, test } from '../../../src/vitest/index.js'
import { heavyLoaded, record } from './record.js'

afterAll(() => record({ file: 'database', heavy: heavyLoaded() }))

const INSERT = `INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price,
  low_price, close_price, volume, quote_volume) VALUES ('binance', 'REAL', '1h', now(), 1, 1, 1, 1, 1, 1)`

describe('database isolation', () => {
  test('pool is a real pg.Pool on the file database: a COMMIT commits', async ({ pool, databaseUrl }) => {
    expect(Object.getPrototypeOf(pool)).toBe(pg.Pool.prototype)
    const client = await pool.connect()
    await client.query('BEGIN')
    await client.query(INSERT)
    await client.query('COMMIT')
    client.release()
    const other = new pg.Client({ connectionString: databaseUrl })
    await other.connect()
    expect((await other.query('SELECT count(*)::int AS n FROM candlesticks')).rows[0].n).toBe(1)
    await other.end()
  })

  test('the next test of the file sees it (the file owns its database)', async ({ pool }) => {
    expect((await pool.query('SELECT count(*)::int AS n FROM candlesticks')).rows[0].n).toBe(1)
  })
})
