import { afterAll, describe, expect, test } from 'dsta-db/vitest'
import { sql } from 'slonik'
// Imported after dsta-db has pointed DATABASE_URL at this file's own database (a fresh clone).
import { pool, recordFills, tradedQuantity } from '../src/app.js'

afterAll(() => pool.end())

const at = new Date('2026-01-01T00:00:00Z')
const fill = (tradeId: number, quantity: string) => ({
  symbol: 'BTCUSDT',
  tradeId,
  price: '90000',
  quantity,
  takerSold: false,
  at,
})

describe('recordFills', () => {
  test('commits through the application pool; the test sees the rows', async ({ db }) => {
    expect(await recordFills([fill(1, '0.5'), fill(2, '0.25')])).toBe(2)
    expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM trades`)).toBe(2)
    expect(await tradedQuantity('BTCUSDT')).toBe('0.7500000000')
  })

  test('tests of one file share its database: the commits above are still there', async () => {
    expect(await tradedQuantity('BTCUSDT')).toBe('0.7500000000')
  })

  test('a failing unit of work rolls back as a whole', async ({ db }) => {
    const before = await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM trades`)
    // The same trade id twice breaks the (exchange, symbol, trade_id) unique key on the second row.
    await expect(recordFills([fill(3, '1'), fill(3, '1')])).rejects.toThrow(/duplicate key/)
    expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM trades`)).toBe(before)
  })
})
