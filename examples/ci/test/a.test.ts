import { expect, test } from 'dsta-db/vitest'
import { sql } from 'slonik'

test('shard file a: factories on the shared server, seeded by DSTA_SEED', async ({ db, factories, seed }) => {
  const rows = await factories.trade.createList(5, { symbol: 'AUSDT' })
  expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM trades`)).toBe(5)
  expect(rows.map((row) => row.trade_id)).toEqual([...new Set(rows.map((row) => row.trade_id))])
  expect(Number.isInteger(seed)).toBe(true)
})
