// node-postgres-style application code on the `pool` fixture, inside the test's transaction.
import { describe, expect, test } from 'dsta-db/vitest'

// The shape application code needs of a pg.Pool (typed structurally: the project need not depend on pg).
interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; command: string }>
}
interface PgPool extends Queryable {
  connect(): Promise<Queryable & { release(): void }>
}

const INSERT = `INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price,
  low_price, close_price, volume, quote_volume) VALUES ('binance', $1, '1h', $2, 1, 1, 1, 1, 1, 1)`

async function saveBoth(pool: PgPool, symbols: [string, string]): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query(INSERT, [symbols[0], '2024-01-01T00:00:00Z'])
    await client.query(INSERT, [symbols[1], '2024-01-01T01:00:00Z'])
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  } finally {
    client.release()
  }
}

const symbols = async (pool: Queryable) =>
  (await pool.query('SELECT symbol FROM candlesticks ORDER BY symbol')).rows.map((row) => row.symbol)

test.beforeAll(async ({ filePool }) => {
  await filePool.query(INSERT, ['FILE', '2023-01-01T00:00:00Z'])
})

describe('pool', () => {
  test('a committed transaction stays inside the test', async ({ pool }) => {
    await saveBoth(pool, ['ONE', 'TWO'])
    expect(await symbols(pool)).toEqual(['FILE', 'ONE', 'TWO'])
  })

  test('a failed transaction rolls back; the test before left nothing', async ({ pool }) => {
    await expect(saveBoth(pool, ['OK', 'not a symbol'])).rejects.toThrow(/candlesticks_symbol_check/)
    expect(await symbols(pool)).toEqual(['FILE'])
  })
})
